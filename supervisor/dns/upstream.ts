// Where the stack's DNS server sends the names it does not know: STACK_DNS_UPSTREAM
// (`ip[:port]` entries, comma or space separated) when set, otherwise the nameservers of the
// host's /etc/resolv.conf. The supervisor runs in the host's network namespace, so a
// loopback resolver such as 127.0.0.53 is reachable from it.

import fs from 'node:fs';
import { configuredUpstreams, nameserversOf, parseUpstream, type Upstream } from '../../model/upstreams.js';

/** How a query travels: the forwarder asks upstream the way the client asked it. */
export type Transport = 'udp' | 'tcp';

export type { Upstream };
export { parseUpstream };

export function defaultUpstreams(env: NodeJS.ProcessEnv = process.env, resolvConf = '/etc/resolv.conf'): Upstream[] {
  const configured = env.STACK_DNS_UPSTREAM;
  if (configured !== undefined) return configuredUpstreams(configured);
  let text = '';
  try {
    text = fs.readFileSync(resolvConf, 'utf8');
  } catch {
    return [];
  }
  return nameserversOf(text);
}
