// Living next to docker and host firewalls: the accepts for a stack's bridges in every other
// table's dropping input/forward chain (coexist-rules.ts says which and why), put there when
// the stack's nft table is applied and taken out when it is removed. Placing is "make it
// so": every accept marked with the stack's table goes, the current ones come in, so a
// firewall that changed since (a docker restart, a firewalld reload) ends as it should.
// observe calls acceptsPresent: missing accepts are drift, and the next `up` repairs them.

import type { NatSpec } from '../../../model/plan.js';
import { acceptRules, acceptsInPlace, iptablesChanges, nftChanges, type AcceptRule } from './coexist-rules.js';
import { readFirewalls, type FirewallView } from './firewall-scan.js';
import { insertNatively } from './iptables-nft-accepts.js';
import { changeFilterRules, type IptablesBackend } from './iptables-tool.js';
import { nftRun } from './libnftables.js';
import { assertStkTable } from './literals.js';

async function place(mark: string, rules: AcceptRule[], firewalls: Promise<FirewallView>): Promise<void> {
  const fw = await firewalls;
  // The iptables inserts first: the nft transaction then takes out the marked rules of
  // iptables-nft's table (by their handles, read before), so a stack's traffic never
  // meets a chain that lost its old accepts before it got the new ones.
  for (const [backend, listing] of Object.entries(fw.iptables) as [IptablesBackend, string | undefined][]) {
    if (listing === undefined) continue;
    const lines = iptablesChanges(backend, fw.chains, rules, listing, mark);
    // iptables-nft's forward accepts go in as nf_tables rules of stack's (iptables-nft-accepts.ts).
    if (backend === 'iptables-nft' && insertNatively(lines)) continue;
    await changeFilterRules(backend, lines);
  }
  const nft = nftChanges(fw.chains, rules, fw.listing, mark);
  if (nft) await nftRun(nft);
}

/**
 * Puts the accepts of the stack's networks in every dropping chain, replacing older ones.
 * `firewalls`: a readFirewalls() the caller started earlier, so that its listings (processes
 * where iptables tables exist) ran beside its own work; it must have been started after
 * anything that changed the firewalls (another placing of this stack's accepts).
 */
export function placeAccepts(spec: NatSpec, firewalls = readFirewalls()): Promise<void> {
  return place(assertStkTable(spec.table), acceptRules(spec), firewalls);
}

/** Takes every accept of the stack whose table is `table` out of other software's chains. */
export function removeAccepts(table: string): Promise<void> {
  return place(assertStkTable(table), [], readFirewalls());
}

/** Whether every dropping chain holds the stack's accepts (observe: false is drift). */
export async function acceptsPresent(spec: NatSpec): Promise<boolean> {
  const fw = await readFirewalls(false);
  return acceptsInPlace(fw.chains, acceptRules(spec), fw.listing, fw.iptables, assertStkTable(spec.table));
}
