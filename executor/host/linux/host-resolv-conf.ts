// The resolv.conf of a container that has no stack resolver (resolvConf empty in its spec):
// on `network_mode: host` or `none`, a copy of the host's file; on a network of its own
// (the default bridge, a build step's network), docker's rule: the host's file without the
// loopback nameservers, which are the host's and unreachable from the container's
// namespace (systemd-resolved's 127.0.0.53: then its own file of upstream servers). When
// STACK_DNS_UPSTREAM says where the stack's resolver forwards, those servers (on port 53:
// resolv.conf has no ports; not loopback: the container's is its own), so the container asks
// what the stack would have asked. Set to servers none of which qualifies, the start is
// refused with the fix (UnreachableUpstreamsError): an empty file would leave the container
// without DNS and no word of why. Set empty, it means no upstream: an empty file. In rootless
// mode a loopback nameserver is the connector's DNS forwarder instead, which asks it from the
// host's side (CONNECTOR_DNS; the container reaches it through the user's namespace).

import { readFileSync } from 'node:fs';
import { nameserversOf, resolvConfUpstreams } from '../../../model/upstreams.js';
import { CONNECTOR_DNS } from '../../../model/rootless-connector.js';
import { inUserNamespace } from './rootless/user-namespace.js';

const SYSTEMD_UPSTREAMS = '/run/systemd/resolve/resolv.conf';
const LOOPBACK_NAMESERVER = /^\s*nameserver\s+(127\.\S*|::1)\s*$/;

/** A blocking read of a few hundred bytes (see upper-dir-fs.ts): '' when it cannot be read. */
const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

/** `files`: where the host's files are (tests point them elsewhere). */
export async function hostResolvConf(
  ownNetwork: boolean,
  env: NodeJS.ProcessEnv = process.env,
  files = { resolvConf: '/etc/resolv.conf', systemd: SYSTEMD_UPSTREAMS },
  rootless = inUserNamespace(),
): Promise<string> {
  const host = read(files.resolvConf);
  if (!ownNetwork) return host;
  const configured = env.STACK_DNS_UPSTREAM;
  if (configured !== undefined) {
    return resolvConfUpstreams(configured)
      .map((u) => `nameserver ${u.ip}\n`)
      .join('');
  }
  const reachable = (text: string) =>
    text
      .split('\n')
      .flatMap((line, i, lines) => {
        if (!LOOPBACK_NAMESERVER.test(line)) return [line];
        // Rootless: the forwarder once, where the first loopback nameserver was.
        const first = lines.findIndex((l) => LOOPBACK_NAMESERVER.test(l)) === i;
        return rootless && first ? [`nameserver ${CONNECTOR_DNS}`] : [];
      })
      .join('\n');
  const filtered = reachable(host);
  if (nameserversOf(filtered).length > 0 || nameserversOf(host).length === 0) return filtered;
  return reachable(read(files.systemd));
}
