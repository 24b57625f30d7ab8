// Reads the host's firewalls: the nft ruleset (through the shared libnftables context, no
// process), and the iptables listings only where such tables exist (a process each). Used
// by the coexistence accepts (coexist.ts) and meant for `stack doctor`: findDroppingChains
// says whether docker or a firewall drops forwarded or incoming traffic by default.

import { readFileSync } from 'node:fs';
import {
  droppingLegacyChains,
  droppingNftChains,
  tablesToList,
  type DroppingChain,
  type NftListing,
} from './firewall-chains.js';
import { listFilterRules, type IptablesBackend } from './iptables-tool.js';
import { nftRun } from './libnftables.js';

export interface FirewallView {
  /** The filter base chains at the input and forward hooks that drop what no rule accepted. */
  chains: DroppingChain[];
  listing: NftListing;
  /** `iptables -S` of the filter table per backend, for the backends whose filter table exists. */
  iptables: Partial<Record<IptablesBackend, string>>;
}

/** iptables-legacy tables exist only when /proc/net/ip_tables_names lists them (listing never loads the module). */
function legacyFilterExists(): boolean {
  try {
    return readFileSync('/proc/net/ip_tables_names', 'utf8').split('\n').includes('filter');
  } catch {
    return false;
  }
}

/**
 * `iptables -S` of `backend`, or undefined when its listing fails (tool missing, a table it
 * cannot read) and no dropping chain needs it: then there is nothing of stack's there either.
 */
async function listingOf(backend: IptablesBackend, needed: boolean): Promise<string | undefined> {
  try {
    return await listFilterRules(backend);
  } catch (e) {
    if (needed) throw e;
    return undefined;
  }
}

/**
 * The tables with a filter input/forward base chain, with their rules. Listing only those
 * costs ~3 ms where `list ruleset` costs ~35 ms here (libnftables lists every stack's table
 * with it): this runs on every observe and every NAT change.
 */
async function listCandidateTables(): Promise<NftListing> {
  const chains = JSON.parse(await nftRun('list chains', { json: true })) as NftListing;
  const entries: NonNullable<NftListing['nftables']> = [];
  for (const t of tablesToList(chains)) {
    entries.push(
      ...((JSON.parse(await nftRun(`list table ${t.family} ${t.name}`, { json: true })) as NftListing).nftables ?? []),
    );
  }
  return { nftables: entries };
}

/**
 * `forPlacing`: the view placing or removing accepts needs, with the iptables-nft listing
 * wherever its filter table exists (marked accepts may sit there even where no chain drops
 * any more, and must go). Checking that the accepts are in place (observe, on every `up`
 * and `plan`) only reads the chains that drop: it lists iptables-nft, a process, only
 * when one of its chains does.
 */
export async function readFirewalls(forPlacing = true): Promise<FirewallView> {
  const listing = await listCandidateTables();
  const nftChains = droppingNftChains(listing);
  const iptables: FirewallView['iptables'] = {};
  const iptablesDrops = nftChains.some((c) => c.backend === 'iptables-nft');
  const filterTable = (listing.nftables ?? []).some((e) => e.table?.family === 'ip' && e.table.name === 'filter');
  if (filterTable && (forPlacing || iptablesDrops)) {
    iptables['iptables-nft'] = await listingOf('iptables-nft', iptablesDrops);
  }
  const legacy = legacyFilterExists() ? await listingOf('iptables-legacy', true) : undefined;
  if (legacy !== undefined) iptables['iptables-legacy'] = legacy;
  return { chains: [...nftChains, ...(legacy === undefined ? [] : droppingLegacyChains(legacy))], listing, iptables };
}

/** The chains, of docker, ufw, firewalld or a hand-made table, that would drop stack's traffic. */
export async function findDroppingChains(): Promise<DroppingChain[]> {
  return (await readFirewalls()).chains;
}
