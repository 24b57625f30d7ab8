// The accepts stack puts in other software's dropping chains (firewall-chains.ts), and the
// changes that bring those chains from what they hold to what they should hold (pure: the
// listings come in, nft text and iptables-restore lines go out).
//
// Each accept names one of the stack's own bridges AND its subnet, so none lets through
// more than the stack's own traffic: what leaves its containers (egress, and traffic within
// the bridge, which br_netfilter shows to the forward hook), answers to it, connections to
// its published ports (DNAT'ed to its subnet), and at the input hook only DNS to the stack's
// server on the gateway and answers to the host's own connections into the bridge.
// Isolation between stacks stays in stack's own table, whose chains still see every packet.
// In docker's DOCKER-USER, traffic from a stack bridge into docker's bridges (docker0,
// br-…) is handed back to docker's own chains first (RETURN): there docker decides, as for
// any other interface, and lets only its published ports through.
//
// Every accept carries the stack's nft table name (`stk_…`) as its comment: that is how
// they are found again to be checked, replaced or removed, whatever the firewall did since.

import type { NatSpec } from '../../../model/plan.js';
import { PLAIN_NAME, type DroppingChain, type NftListing } from './firewall-chains.js';
import { assertCidr, assertStkLink, assertStkTable } from './literals.js';

/** One accept, in both languages; the iptables form without its chain. */
export interface AcceptRule {
  hook: 'input' | 'forward';
  nft: string;
  iptables: string;
  /** Only for this chain (DOCKER-USER). */
  onlyIn?: string;
}

const DOCKER_USER = 'DOCKER-USER';
/** docker's bridges as it names them: the default one and `br-<network id>`. */
const DOCKER_BRIDGES = ['docker0', 'br-+'];

/** The rules of `rules` that belong in chain `c`. */
const rulesFor = (c: Pick<DroppingChain, 'hook' | 'acceptIn'>, rules: AcceptRule[]) =>
  rules.filter((r) => r.hook === c.hook && (r.onlyIn === undefined || r.onlyIn === c.acceptIn));

export function acceptRules(spec: NatSpec): AcceptRule[] {
  const mark = assertStkTable(spec.table);
  const nftMark = ` accept comment "${mark}"`;
  const iptMark = ` -m comment --comment ${mark} -j ACCEPT`;
  const rule = (hook: AcceptRule['hook'], nft: string, iptables: string): AcceptRule => ({
    hook,
    nft: nft + nftMark,
    iptables: iptables + iptMark,
  });
  return spec.networks.flatMap((n) => {
    const br = assertStkLink(n.bridge);
    const net = assertCidr(n.subnet);
    const [inBr, outBr] = [`iifname "${br}"`, `oifname "${br}"`];
    const forward = n.internal
      ? [rule('forward', `${inBr} ${outBr} ip saddr ${net}`, `-i ${br} -o ${br} -s ${net}`)]
      : [
          rule('forward', `${inBr} ip saddr ${net}`, `-i ${br} -s ${net}`),
          rule(
            'forward',
            `${outBr} ip daddr ${net} ct state established,related`,
            `-o ${br} -d ${net} -m conntrack --ctstate RELATED,ESTABLISHED`,
          ),
          rule('forward', `${outBr} ip daddr ${net} ct status dnat`, `-o ${br} -d ${net} -m conntrack --ctstate DNAT`),
          // Inserted one by one at the top, so these end up above the accepts.
          ...DOCKER_BRIDGES.map((d) => ({
            hook: 'forward' as const,
            nft: '',
            iptables: `-i ${br} -o ${d} -m comment --comment ${mark} -j RETURN`,
            onlyIn: DOCKER_USER,
          })),
        ];
    // The gateway is the only local address in the subnet.
    const input = [
      rule('input', `${inBr} ip daddr ${net} udp dport 53`, `-i ${br} -d ${net} -p udp --dport 53`),
      rule('input', `${inBr} ip daddr ${net} tcp dport 53`, `-i ${br} -d ${net} -p tcp --dport 53`),
      rule(
        'input',
        `${inBr} ip daddr ${net} ct state established,related`,
        `-i ${br} -d ${net} -m conntrack --ctstate RELATED,ESTABLISHED`,
      ),
    ];
    return [...forward, ...input];
  });
}

/** Whether nft text can name the chain: nft 1.0.6 takes no quotes there, so plain names only. */
export const writable = (c: Pick<DroppingChain, 'table' | 'acceptIn'>) =>
  PLAIN_NAME.test(c.table) && PLAIN_NAME.test(c.acceptIn);

/** The rules in an nft listing that carry `mark`, with what it takes to delete them. */
export function markedNftRules(
  listing: NftListing,
  mark: string,
): { family: string; table: string; chain: string; handle: number }[] {
  return (listing.nftables ?? []).flatMap(({ rule: r }) =>
    r?.comment === mark ? [{ family: r.family, table: r.table, chain: r.chain, handle: r.handle }] : [],
  );
}

/**
 * nft text that deletes every rule marked `mark` and inserts `rules` into the nft chains (one
 * transaction). The deletes include the marked rules of iptables-nft's table, by handle: a
 * delete writes no expression nft could get wrong, and needs no `iptables-nft -S`.
 */
export function nftChanges(chains: DroppingChain[], rules: AcceptRule[], listing: NftListing, mark: string): string {
  const deletes = markedNftRules(listing, mark)
    .filter((r) => writable({ table: r.table, acceptIn: r.chain }))
    .map((r) => `delete rule ${r.family} ${r.table} ${r.chain} handle ${r.handle}`);
  const inserts = chains
    .filter((c) => c.backend === 'nft' && writable(c))
    .flatMap((c) => rulesFor(c, rules).map((r) => `insert rule ${c.family} ${c.table} ${c.acceptIn} ${r.nft}`));
  return [...deletes, ...inserts].map((l) => `${l}\n`).join('');
}

/** The `-A …` lines of an `iptables -S` listing that carry `mark`. */
export function markedIptablesRules(listing: string, mark: string): string[] {
  const marked = new RegExp(` --comment "?${mark}"? `);
  return listing.split('\n').filter((l) => l.startsWith('-A ') && marked.test(`${l} `));
}

/** iptables-restore lines that delete every rule marked `mark` and insert `rules` into the chains of `backend`. */
export function iptablesChanges(
  backend: DroppingChain['backend'],
  chains: DroppingChain[],
  rules: AcceptRule[],
  listing: string,
  mark: string,
): string[] {
  const deletes = markedIptablesRules(listing, mark).map((l) => l.replace(/^-A /, '-D '));
  const inserts = chains
    .filter((c) => c.backend === backend)
    .flatMap((c) => rulesFor(c, rules).map((r) => `-I ${c.acceptIn} ${r.iptables}`));
  return [...deletes, ...inserts];
}

/** Whether every dropping chain holds exactly the accepts `rules` wants there. */
export function acceptsInPlace(
  chains: DroppingChain[],
  rules: AcceptRule[],
  listing: NftListing,
  iptables: Partial<Record<DroppingChain['backend'], string>>,
  mark: string,
): boolean {
  const nftMarked = markedNftRules(listing, mark);
  return chains.every((c) => {
    const wanted = rulesFor(c, rules).length;
    // iptables-nft's rules are in the nft listing too, with their xt comments (firewall-scan.ts).
    if (c.backend !== 'iptables-legacy')
      return (
        (c.backend === 'nft' && !writable(c)) ||
        nftMarked.filter((r) => r.family === c.family && r.table === c.table && r.chain === c.acceptIn).length ===
          wanted
      );
    return (
      markedIptablesRules(iptables[c.backend] ?? '', mark).filter((l) => l.startsWith(`-A ${c.acceptIn} `)).length ===
      wanted
    );
  });
}
