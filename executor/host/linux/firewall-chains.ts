// Which of the host's firewall chains drop what stack's containers send (pure: it reads
// listings, firewall-scan.ts fetches them). A packet passes a netfilter hook only if EVERY
// base chain at that hook lets it through: an accept in stack's own table does not override
// a drop in another table's chain. The chains that matter are the filter base chains at the
// input hook (containers asking the stack's DNS server on the gateway) and at the forward
// hook (egress, published ports, and — with br_netfilter, which dockerd loads — even traffic
// between two containers on one bridge) that drop what no rule accepted:
// - dockerd sets the iptables FORWARD policy to DROP when it is the one that turns
//   ip_forward on (as at boot); ufw sets INPUT and FORWARD to DROP;
// - firewalld's and hand-written nftables tables have policy drop, or end in a reject.
//
// Tables written through iptables-nft are nft tables too, but not nft's to change (nft
// itself warns "managed by iptables-nft, do not touch"): their rules use xt expressions nft
// cannot write back, and iptables refuses a table holding expressions it does not know. So
// stack writes there only rules in iptables-nft's own encoding (iptables-nft-accepts.ts) or
// through the tool. Tables of iptables-legacy are not nft at all.

export type FirewallBackend = 'nft' | 'iptables-nft' | 'iptables-legacy';

export interface DroppingChain {
  backend: FirewallBackend;
  family: 'ip' | 'inet';
  table: string;
  chain: string;
  hook: 'input' | 'forward';
  /** `policy`: its policy is drop; `last rule`: it ends in a rule that drops or rejects everything left. */
  drops: 'policy' | 'last rule';
  /**
   * Where accepts for other software belong: docker's DOCKER-USER for the FORWARD chain of
   * a table that has it (docker documents it for that, and jumps there first), else the chain.
   */
  acceptIn: string;
}

/** Entries of `nft -j list ruleset` that matter here. */
export interface NftListing {
  nftables?: {
    table?: { family: string; name: string };
    chain?: { family: string; table: string; name: string; type?: string; hook?: string; policy?: string };
    rule?: {
      family: string;
      table: string;
      chain: string;
      handle: number;
      comment?: string;
      expr?: Record<string, unknown>[];
    };
  }[];
}

const HOOKS = new Set(['input', 'forward']);
const FAMILIES = new Set(['ip', 'inet']);
/** iptables' own chain names: a `filter` table with these was made by iptables-nft. */
const IPTABLES_BUILTINS = new Set(['INPUT', 'FORWARD', 'OUTPUT']);
const DOCKER_USER = 'DOCKER-USER';
/** stack's own tables (`stk_…`) accept; they are not someone else's firewall. */
const STACK_TABLE = /^stk_/;

/** Table and chain names of other software go into nft text unquoted (nft 1.0.6 takes no quotes there): only plain ones. */
export const PLAIN_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/**
 * The tables of a `nft -j list chains` listing that have a filter base chain at the input or
 * forward hook (whatever its policy): the only ones whose rules need listing, because only
 * they can drop stack's traffic or hold its accepts.
 */
export function tablesToList(chains: NftListing): { family: string; name: string }[] {
  const seen = new Map<string, { family: string; name: string }>();
  for (const { chain: c } of chains.nftables ?? []) {
    if (
      !c ||
      c.type !== 'filter' ||
      !c.hook ||
      !HOOKS.has(c.hook) ||
      !FAMILIES.has(c.family) ||
      STACK_TABLE.test(c.table) ||
      !PLAIN_NAME.test(c.table)
    )
      continue;
    seen.set(`${c.family} ${c.table}`, { family: c.family, name: c.table });
  }
  return [...seen.values()];
}

/**
 * Whether the `ip filter` table of an nft listing may hold a rule stack marked through
 * iptables-nft: stack's accepts there carry `-m comment`, which nft lists as an xt `comment`
 * match without its text (an iptables that keeps comments as nft's own shows them as the
 * rule's comment). Without any such rule none there is ours, and the comments' texts need
 * no reading (iptables-nft-comments.ts).
 */
export function iptablesNftMayHoldMarks(listing: NftListing): boolean {
  return (listing.nftables ?? []).some(
    ({ rule: r }) =>
      r?.family === 'ip' &&
      r.table === 'filter' &&
      (r.comment !== undefined ||
        (r.expr ?? []).some((e) => (e.xt as { name?: string } | undefined)?.name === 'comment')),
  );
}

/** Whether a rule's statements are only a counter and then a drop or reject (no match at all). */
function dropsEverything(expr: Record<string, unknown>[] = []): boolean {
  const last = expr.at(-1);
  if (!last || !expr.slice(0, -1).every((e) => 'counter' in e)) return false;
  const xt = last.xt as { type?: string; name?: string } | undefined;
  return 'drop' in last || 'reject' in last || (xt?.type === 'target' && (xt.name === 'REJECT' || xt.name === 'DROP'));
}

/** The dropping input/forward chains of an `nft -j list ruleset` listing. */
export function droppingNftChains(listing: NftListing): DroppingChain[] {
  const entries = listing.nftables ?? [];
  const key = (family: string, table: string) => `${family} ${table}`;
  const rules = new Map<string, Record<string, unknown>[][]>();
  const xtTables = new Set<string>();
  const chainsOf = new Map<string, Set<string>>();
  for (const { chain, rule } of entries) {
    if (chain)
      chainsOf.set(
        key(chain.family, chain.table),
        (chainsOf.get(key(chain.family, chain.table)) ?? new Set()).add(chain.name),
      );
    if (!rule) continue;
    const k = `${key(rule.family, rule.table)} ${rule.chain}`;
    rules.set(k, [...(rules.get(k) ?? []), rule.expr ?? []]);
    if ((rule.expr ?? []).some((e) => 'xt' in e)) xtTables.add(key(rule.family, rule.table));
  }
  const out: DroppingChain[] = [];
  for (const { chain: c } of entries) {
    if (
      !c ||
      c.type !== 'filter' ||
      !c.hook ||
      !HOOKS.has(c.hook) ||
      !FAMILIES.has(c.family) ||
      STACK_TABLE.test(c.table)
    )
      continue;
    const last = rules.get(`${key(c.family, c.table)} ${c.name}`)?.at(-1);
    const drops = c.policy === 'drop' ? 'policy' : dropsEverything(last) ? 'last rule' : undefined;
    if (!drops) continue;
    const k = key(c.family, c.table);
    const iptables = c.family === 'ip' && (xtTables.has(k) || (c.table === 'filter' && IPTABLES_BUILTINS.has(c.name)));
    const dockerUser = iptables && c.name === 'FORWARD' && chainsOf.get(k)?.has(DOCKER_USER);
    out.push({
      backend: iptables ? 'iptables-nft' : 'nft',
      family: c.family as DroppingChain['family'],
      table: c.table,
      chain: c.name,
      hook: c.hook as DroppingChain['hook'],
      drops,
      acceptIn: dockerUser ? DOCKER_USER : c.name,
    });
  }
  return out;
}

/** The dropping INPUT/FORWARD chains in `iptables-legacy -S` (filter table) output. */
export function droppingLegacyChains(listing: string): DroppingChain[] {
  const lines = listing.split('\n').map((l) => l.trim());
  const out: DroppingChain[] = [];
  for (const [chain, hook] of [
    ['INPUT', 'input'],
    ['FORWARD', 'forward'],
  ] as const) {
    const last = lines.filter((l) => l.startsWith(`-A ${chain} `)).at(-1);
    const drops = lines.includes(`-P ${chain} DROP`)
      ? 'policy'
      : last !== undefined && new RegExp(`^-A ${chain} -j (DROP|REJECT)( --reject-with \\S+)?$`).test(last)
        ? 'last rule'
        : undefined;
    if (!drops) continue;
    const acceptIn = chain === 'FORWARD' && lines.includes(`-N ${DOCKER_USER}`) ? DOCKER_USER : chain;
    out.push({ backend: 'iptables-legacy', family: 'ip', table: 'filter', chain, hook, drops, acceptIn });
  }
  return out;
}
