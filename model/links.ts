// `links` (`SERVICE[:ALIAS]`) and `external_links` (`CONTAINER[:ALIAS]`): the alias is a
// name the linking container alone resolves, to the linked one, through the stack's DNS
// (supervisor/dns/name-table.ts), as docker scopes link aliases on user-defined networks.

import type { Service } from './types.js';

/** `NAME[:ALIAS]`: the service or container, and the alias (the name itself when none). */
export function linkParts(link: string): { target: string; alias: string } {
  const [target, alias] = link.split(':') as [string, string | undefined];
  return { target, alias: alias ?? target };
}

/** ContainerSpec.links: alias → the name it stands for, for the entries whose alias is another name. */
export function linkAliases(service: Pick<Service, 'links' | 'externalLinks'>): Record<string, string> | undefined {
  const entries = [...(service.links ?? []), ...(service.externalLinks ?? [])]
    .map(linkParts)
    .filter((l) => l.alias !== l.target);
  return entries.length > 0 ? Object.fromEntries(entries.map((l) => [l.alias.toLowerCase(), l.target])) : undefined;
}
