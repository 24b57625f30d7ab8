// The resolvers names the stack does not know go to: STACK_DNS_UPSTREAM (`ip[:port]`
// entries, comma or space separated) or the `nameserver` lines of a resolv.conf. Read by
// the stack's DNS server (supervisor/dns/upstream.ts) and by the host when it writes the
// resolv.conf of a container on the default bridge, which has no stack resolver.

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

/** The entries of STACK_DNS_UPSTREAM's value. */
export function configuredUpstreams(value: string): Upstream[] {
  return value.split(/[\s,]+/).flatMap((e) => (e ? [parseUpstream(e)].filter((u): u is Upstream => !!u) : []));
}

/** The IPv4 `nameserver` lines of a resolv.conf. */
export function nameserversOf(resolvConf: string): Upstream[] {
  return resolvConf.split('\n').flatMap((line) => {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    const u = m ? parseUpstream(m[1]!) : undefined;
    return u ? [u] : [];
  });
}

/**
 * STACK_DNS_UPSTREAM names servers, yet none that a container without the stack's resolver
 * can be given: its resolv.conf takes no port, and the host's loopback is not its own.
 */
export class UnreachableUpstreamsError extends Error {
  constructor(readonly value: string) {
    super(
      `STACK_DNS_UPSTREAM=${value}: a container on a network without the stack's resolver (network_mode: bridge, a build's RUN step) ` +
        "gets its servers in resolv.conf, which takes no port and cannot reach the host's loopback: give one server " +
        "as IP or IP:53 that is not 127.x, or unset STACK_DNS_UPSTREAM to give it the host's resolvers (docker's rule)",
    );
    this.name = 'UnreachableUpstreamsError';
  }
}

/** What a container's own resolv.conf can name of STACK_DNS_UPSTREAM's servers: port 53, not loopback. */
export function resolvConfUpstreams(value: string): Upstream[] {
  const all = configuredUpstreams(value);
  const usable = all.filter((u) => u.port === 53 && !u.ip.startsWith('127.'));
  if (all.length > 0 && usable.length === 0) throw new UnreachableUpstreamsError(value);
  return usable;
}

/**
 * Rootless mode: a loopback resolver of the host (systemd-resolved's 127.0.0.53, dnsmasq's
 * 127.0.0.1) is not reachable from the user's network namespace, whose loopback is its own.
 * The connector's DNS forwarder (`forwarder`) asks it from the host's side instead; any other
 * server is reached through the connector as it is.
 */
export function throughConnector(upstreams: Upstream[], forwarder: string): Upstream[] {
  const out = upstreams.map((u) => (u.ip.startsWith('127.') ? { ip: forwarder, port: 53 } : u));
  return out.filter((u, i) => out.findIndex((o) => o.ip === u.ip && o.port === u.port) === i);
}
