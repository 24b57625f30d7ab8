// The names the stack's DNS server answers, built from state records (every stack on the
// host, for networks shared with `external: true`). A container sees the names of the
// containers it shares a network with, on that network: its service name (every replica),
// `<service>-<n>`, its container name (and `container_name`), its hostname and its aliases on that network
// (a one-off: its names and aliases only);
// and the aliases its own `links` and `external_links` give (to it alone).

import type { ContainerSpec } from '../../model/plan.js';

export interface TableEntry {
  spec: Pick<
    ContainerSpec,
    | 'project'
    | 'service'
    | 'name'
    | 'displayName'
    | 'containerName'
    | 'hostname'
    | 'replica'
    | 'endpoints'
    | 'dnsUpstreams'
    | 'links'
  > &
    Partial<Pick<ContainerSpec, 'labels'>>;
  /**
   * false: its names are not answered (a replacement not ready yet, or the container a ready
   * one replaces: supervisor/dns/slot-answers.ts), but its own queries are a container's.
   */
  answered?: boolean;
}

interface Address {
  ip: string;
  bridge: string;
  /** Orders replicas so the first answer before any rotation is replica 1. */
  replica: number;
  project: string;
}

export class NameTable {
  /** Lowercased name → every address it has, on any bridge. */
  private readonly names = new Map<string, Address[]>();
  /** Source address → the querying container's bridges and upstreams. */
  private readonly sources = new Map<
    string,
    { bridges: Set<string>; project: string; upstreams?: string[]; links?: Record<string, string> }
  >();

  constructor(entries: readonly TableEntry[]) {
    for (const { spec, answered } of entries) {
      const bridges = new Set(spec.endpoints.map((e) => e.bridge));
      for (const ep of spec.endpoints) {
        // On a network with IPv6 the name has both addresses (A and AAAA answers).
        const ips = [ep.ip, ...(ep.ip6 ? [ep.ip6] : [])];
        for (const ip of ips)
          this.sources.set(ip, {
            bridges,
            project: spec.project,
            ...(spec.dnsUpstreams?.length ? { upstreams: spec.dnsUpstreams } : {}),
            ...(spec.links ? { links: spec.links } : {}),
          });
        if (answered === false) continue;
        // A one-off (`stack run`) is not one of the service's containers: it answers to its
        // own name, and to the service's name and aliases only with --use-aliases (which
        // puts them in its endpoints' aliases), as compose's run.
        const oneOff = spec.labels?.['stack.oneoff'] === 'true';
        const names = [
          ...(oneOff ? [] : [spec.service, `${spec.service}-${spec.replica}`, spec.hostname]),
          spec.displayName ?? spec.name,
          ...(spec.containerName ? [spec.containerName] : []),
          ...(ep.aliases ?? []),
        ];
        for (const name of new Set(names.map((n) => n.toLowerCase()))) {
          const list = this.names.get(name) ?? [];
          for (const ip of ips) list.push({ ip, bridge: ep.bridge, replica: spec.replica, project: spec.project });
          this.names.set(name, list);
        }
      }
    }
    for (const list of this.names.values()) list.sort((a, b) => a.replica - b.replica || (a.ip < b.ip ? -1 : 1));
  }

  /** Whether `source` is a container this table knows. */
  knows(source: string): boolean {
    return this.sources.has(source);
  }

  /** The upstream servers of the container at `source` (its `dns:`), if it has its own. */
  upstreamsOf(source: string): string[] | undefined {
    return this.sources.get(source)?.upstreams;
  }

  /**
   * The addresses (IPv4 and IPv6 alike) of `name` on the networks `source` is on; names of its own stack win
   * over the same names of another stack on a shared network. Undefined: not a stack name.
   */
  lookup(source: string, name: string): string[] | undefined {
    const from = this.sources.get(source);
    const asked = name.toLowerCase().replace(/\.$/, '');
    // A link alias of the asking container stands for the linked service or container.
    const linked = from?.links && Object.hasOwn(from.links, asked) ? from.links[asked] : undefined;
    const all = this.names.get(linked?.toLowerCase() ?? asked);
    if (!from || !all) return undefined;
    const reachable = all.filter((a) => from.bridges.has(a.bridge));
    const own = reachable.filter((a) => a.project === from.project);
    const chosen = own.length > 0 ? own : reachable;
    return chosen.length > 0 ? [...new Set(chosen.map((a) => a.ip))] : undefined;
  }
}
