// Reads the host's firewalls: the nft ruleset (through the shared libnftables context, no
// process), the comments of iptables-nft's rules (a netlink dump) and iptables-legacy's
// filter table (getsockopt), and lists the latter with its tool (a process) only where a
// stack's accept may sit there. Used
// by the coexistence accepts (coexist.ts) and meant for `stack doctor`: findDroppingChains
// says whether docker or a firewall drops forwarded or incoming traffic by default.

import { readFileSync } from 'node:fs';
import {
  droppingLegacyChains,
  droppingNftChains,
  iptablesNftMayHoldMarks,
  tablesToList,
  type DroppingChain,
  type NftListing,
} from './firewall-chains.js';
import { readLegacyFilter } from './iptables-legacy-table.js';
import { iptablesNftComments } from './iptables-nft-comments.js';
import { listFilterRules, type IptablesBackend } from './iptables-tool.js';
import { nftRun } from './libnftables.js';

export interface FirewallView {
  /** The filter base chains at the input and forward hooks that drop what no rule accepted. */
  chains: DroppingChain[];
  listing: NftListing;
  /**
   * Per backend whose filter table exists, what of its `iptables -S` placing needs: for
   * iptables-nft always '' (its rules are in `listing`, each with its xt comment as the
   * rule's comment, so its marked rules go by handle); for iptables-legacy the listing where
   * a rule may be a stack's, else '' (legacyView).
   */
  iptables: Partial<Record<IptablesBackend, string>>;
}

/** Every mark of stack's starts so (a stack's nft table name, `stk_…`). */
const STACK_MARK = 'stk_';

/** iptables-legacy tables exist only when /proc/net/ip_tables_names lists them (listing never loads the module). */
function legacyFilterExists(): boolean {
  try {
    return readFileSync('/proc/net/ip_tables_names', 'utf8').split('\n').includes('filter');
  } catch {
    return false;
  }
}

/**
 * iptables-legacy's dropping chains, and its `-S` listing where one of its rules may be a
 * stack's accept ('' where none is): the table is read in-process (iptables-legacy-table.ts),
 * and listed by the tool, a process, only when a comment names a stack table (taking a rule
 * out needs its text) or the table cannot be read that way.
 */
async function legacyView(): Promise<{ chains: DroppingChain[]; listing: string } | undefined> {
  if (!legacyFilterExists()) return undefined;
  const table = readLegacyFilter();
  if (table && !table.comments.some((c) => c.includes(STACK_MARK))) return { chains: table.chains, listing: '' };
  const listing = await listFilterRules('iptables-legacy');
  return { chains: droppingLegacyChains(listing), listing };
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

/** Gives the rules of `ip filter` in `listing` their xt comments (`handle → text`) as their comment. */
function withXtComments(listing: NftListing, comments: Map<number, string>): void {
  for (const { rule: r } of listing.nftables ?? []) {
    const text = r?.family === 'ip' && r.table === 'filter' ? comments.get(r.handle) : undefined;
    if (r && text !== undefined) r.comment ??= text;
  }
}

/**
 * `forPlacing`: the view placing or removing accepts needs, with the iptables-nft table's
 * comments wherever it exists (marked accepts may sit there even where no chain drops any
 * more, and must go). Checking that the accepts are in place (observe, on every `up` and
 * `plan`) only reads the chains that drop: it reads the comments only when one of its
 * chains does.
 *
 * An iptables listing is a process (~4 ms, ~12 ms for a supervisor's first): iptables-nft's
 * rules need none (their comments come from one netlink dump, and only when the nft listing
 * shows a commented rule there), nor do iptables-legacy's unless one may be a stack's
 * (legacyView); that listing then runs while libnftables lists.
 */
export async function readFirewalls(forPlacing = true): Promise<FirewallView> {
  const [listing, legacy] = await Promise.all([listCandidateTables(), legacyView()]);
  const nftChains = droppingNftChains(listing);
  const iptables: FirewallView['iptables'] = {};
  const iptablesDrops = nftChains.some((c) => c.backend === 'iptables-nft');
  const filterTable = (listing.nftables ?? []).some((e) => e.table?.family === 'ip' && e.table.name === 'filter');
  if (filterTable && (forPlacing || iptablesDrops)) {
    if (iptablesNftMayHoldMarks(listing)) withXtComments(listing, iptablesNftComments());
    iptables['iptables-nft'] = '';
  }
  if (legacy !== undefined) iptables['iptables-legacy'] = legacy.listing;
  return { chains: [...nftChains, ...(legacy?.chains ?? [])], listing, iptables };
}

/** The chains, of docker, ufw, firewalld or a hand-made table, that would drop stack's traffic. */
export async function findDroppingChains(): Promise<DroppingChain[]> {
  return (await readFirewalls()).chains;
}
