// Where the stack's DNS server sends the names it does not know: STACK_DNS_UPSTREAM
// (`ip[:port]` entries, comma or space separated) when set, otherwise the nameservers of the
// host's /etc/resolv.conf. The supervisor runs in the host's network namespace, so a
// loopback resolver such as 127.0.0.53 is reachable from it.

import dgram from 'node:dgram';
import fs from 'node:fs';

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
  if (configured !== undefined) return configured.split(/[\s,]+/).flatMap((e) => (e ? [parseUpstream(e)].filter((u): u is Upstream => !!u) : []));
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

/** Sends `query` to each upstream in turn until one answers; undefined when none does. */
export async function forward(query: Buffer, upstreams: readonly Upstream[], timeoutMs = 2000): Promise<Buffer | undefined> {
  for (const u of upstreams) {
    const reply = await askOnce(query, u, timeoutMs);
    if (reply) return reply;
  }
  return undefined;
}

function askOnce(query: Buffer, u: Upstream, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const done = (reply: Buffer | undefined) => {
      clearTimeout(timer);
      sock.close();
      resolve(reply);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    // Only a reply to this query (same id) counts.
    sock.on('message', (msg) => {
      if (msg.length >= 2 && msg.readUInt16BE(0) === query.readUInt16BE(0)) done(msg);
    });
    sock.on('error', () => done(undefined));
    sock.send(query, u.port, u.ip);
  });
}
