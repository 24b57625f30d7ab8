// `links` in /etc/hosts, as docker writes them: `IP ALIAS SERVICE` for the linked service's
// first container, at its address on a network both share. The stack's DNS answers the
// alias too (supervisor/dns/name-table.ts); the file serves programs that read it alone.
// It cannot go stale: a linked service that is replaced (a new address) replaces the
// linking one with it (links imply depends_on with restart: true, as in compose-go).

import type { HostsEntry } from '../../model/plan.js';
import type { Stack } from '../../model/types.js';
import { containerName } from '../../model/names.js';
import { linkParts } from '../../model/links.js';
import type { Slot } from './plan-replicas.js';

/** Adds the link lines to the hosts of every slot of a service with `links` (`networking`: by slot name). */
export function addLinkHosts(
  stack: Stack,
  slots: Slot[],
  networking: Map<string, { endpoints: { network: string; ip: string }[]; hosts: HostsEntry[] }>,
): void {
  for (const service of stack.services.filter((s) => s.links)) {
    for (const slot of slots.filter((sl) => sl.service === service)) {
      const mine = networking.get(slot.name);
      if (!mine) continue;
      for (const { target, alias } of service.links!.map(linkParts)) {
        const theirs = networking.get(containerName(stack.project, target))?.endpoints ?? [];
        const shared = theirs.find((e) => mine.endpoints.some((m) => m.network === e.network));
        if (shared) mine.hosts.push({ ip: shared.ip, names: [...new Set([alias, target])] });
      }
    }
  }
}
