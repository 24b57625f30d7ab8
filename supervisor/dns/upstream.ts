// Where the stack's DNS server sends the names it does not know: STACK_DNS_UPSTREAM
// (`ip[:port]` entries, comma or space separated) when set, otherwise the nameservers of the
// host's /etc/resolv.conf. The supervisor runs in the host's network namespace, so a
// loopback resolver such as 127.0.0.53 is reachable from it; in rootless mode it runs in the
// user's, so such a resolver is asked through the connector's DNS forwarder instead.

import fs from 'node:fs';
import {
  configuredUpstreams,
  nameserversOf,
  parseUpstream,
  throughConnector,
  type Upstream,
} from '../../model/upstreams.js';
import { CONNECTOR_DNS } from '../../model/rootless-connector.js';
import { inUserNamespace } from '../../executor/host/linux/rootless/user-namespace.js';

/** How a query travels: the forwarder asks upstream the way the client asked it. */
export type Transport = 'udp' | 'tcp';

export type { Upstream };
export { parseUpstream };

/** `rootless`: the user's namespaces (told by /proc/self/uid_map), where the host's loopback is not this one's. */
export function defaultUpstreams(
  env: NodeJS.ProcessEnv = process.env,
  resolvConf = '/etc/resolv.conf',
  rootless = inUserNamespace(),
): Upstream[] {
  const configured = env.STACK_DNS_UPSTREAM;
  if (configured !== undefined) return configuredUpstreams(configured);
  let text = '';
  try {
    text = fs.readFileSync(resolvConf, 'utf8');
  } catch {
    return [];
  }
  return rootless ? throughConnector(nameserversOf(text), CONNECTOR_DNS) : nameserversOf(text);
}
