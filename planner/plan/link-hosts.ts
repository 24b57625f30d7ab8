// `links` in /etc/hosts, as docker writes them: `IP ALIAS SERVICE` for the linked service's
// first container, at its address on a network both share. The stack's DNS answers the
// alias too (supervisor/dns/name-table.ts); the file serves programs that read it alone.
// It cannot go stale: a linked service that is replaced (a new address) replaces the
// linking one with it (links imply depends_on with restart: true, as in compose-go).
// `external_links` name a running container of another stack (found in its records): the
// line is its address on a network both are on, and sharing none is a plan error (docker
// needs one too). A target that is not running gets no line: its alias resolves through
// the DNS once it runs on a shared network. Its line goes stale if it is recreated on
// another address (no restart follows another stack's container); the DNS alias does not.

import type { HostsEntry } from '../../model/plan.js';
import type { Observed } from '../../model/observed.js';
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

type Networking = Map<string, { endpoints: { network: string; bridge: string; ip: string }[]; hosts: HostsEntry[] }>;

/** Adds the `external_links` lines to the hosts of every slot of a service with them; returns what cannot be linked. */
export function addExternalLinkHosts(
  stack: Stack,
  slots: Slot[],
  networking: Networking,
  observed: Observed,
): string[] {
  const problems: string[] = [];
  for (const service of stack.services.filter((s) => s.externalLinks)) {
    for (const { target, alias } of service.externalLinks!.map(linkParts)) {
      const theirs = observed.foreignContainers?.find((c) => c.names.includes(target));
      if (!theirs) continue;
      for (const slot of slots.filter((sl) => sl.service === service)) {
        const mine = networking.get(slot.name);
        if (!mine) continue;
        const shared = theirs.endpoints.find((e) => mine.endpoints.some((m) => m.bridge === e.bridge));
        if (shared) {
          mine.hosts.push({ ip: shared.ip, names: [...new Set([alias, target])] });
          continue;
        }
        const nets = theirs.endpoints.map(
          (e) => observed.foreignNetworks?.find((f) => f.bridge === e.bridge)?.name ?? `bridge ${e.bridge}`,
        );
        problems.push(
          `service ${service.name}: external_links ${target} (a container of stack ${theirs.project}) shares no network with it` +
            (nets.length > 0 ? ` (${target} is on ${nets.join(', ')})` : ' (it has no network)') +
            '; join one of its networks with `external: true`, or remove the link',
        );
        break;
      }
    }
  }
  return problems;
}
