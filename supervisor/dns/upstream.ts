// Where the stack's DNS server sends the names it does not know: STACK_DNS_UPSTREAM
// (`ip[:port]` entries, comma or space separated) when set, otherwise the nameservers of the
// host's /etc/resolv.conf. The supervisor runs in the host's network namespace, so a
// loopback resolver such as 127.0.0.53 is reachable from it.

import fs from 'node:fs';

/** How a query travels: the forwarder asks upstream the way the client asked it. */
export type Transport = 'udp' | 'tcp';

export interface Upstream {
  ip: string;
  port: number;
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** `1.2.3.4` or `1.2.3.4:5353`; anything else (IPv6, names) is left out. */
export function parseUpstream(text: string): Upstream | undefined {
  const [ip, port] = text.trim().split(':');
  if (!ip || !IPV4.test(ip)) return undefined;
  const p = port === undefined ? 53 : Number(port);
  return Number.isInteger(p) && p > 0 && p < 65536 ? { ip, port: p } : undefined;
}

export function defaultUpstreams(env: NodeJS.ProcessEnv = process.env, resolvConf = '/etc/resolv.conf'): Upstream[] {
  const configured = env.STACK_DNS_UPSTREAM;
  if (configured !== undefined)
    return configured.split(/[\s,]+/).flatMap((e) => (e ? [parseUpstream(e)].filter((u): u is Upstream => !!u) : []));
  let text = '';
  try {
    text = fs.readFileSync(resolvConf, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((line) => {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    const u = m ? parseUpstream(m[1]!) : undefined;
    return u ? [u] : [];
  });
}
