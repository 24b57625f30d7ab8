// The host's base chains, as `stack doctor` needs them to find a drop policy that stops
// containers' traffic: docker's iptables FORWARD DROP, a firewalld/ufw-like `inet filter`
// table whose forward or input policy is drop. Both nftables (which also shows iptables-nft
// tables) and legacy iptables (x_tables, invisible to nftables) are read; only listing,
// nothing is changed, and legacy iptables is asked only when its filter table exists
// already (asking would load it).

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { nftRun } from './libnftables.js';

export interface BaseChain {
  backend: 'nftables' | 'iptables-legacy';
  /** `inet filter`, `ip filter` (nftables) or `filter` (legacy iptables). */
  table: string;
  chain: string;
  hook: string;
  policy: string;
  /** Some rule of the same table names stack's bridges (`stkb…`): it lets them through. */
  acceptsStack: boolean;
  /** The table has docker's DOCKER-USER chain, where docker wants other software's rules. */
  dockerUser: boolean;
}

/** Families whose forward/input hooks see IPv4 or bridged traffic of containers. */
const FAMILIES = new Set(['ip', 'inet', 'bridge']);
const STACK_BRIDGES = 'stkb';
const DOCKER_USER = 'DOCKER-USER';

interface NftChainJson {
  family: string;
  table: string;
  name: string;
  hook?: string;
  policy?: string;
}
interface NftRuleJson {
  family: string;
  table: string;
}

/** Base chains of nftables' ruleset (`nft -j list ruleset` as JSON text). */
export function nftBaseChains(rulesetJson: string): BaseChain[] {
  const items = (JSON.parse(rulesetJson) as { nftables: Record<string, unknown>[] }).nftables;
  const tableKey = (x: { family: string; table: string }) => `${x.family} ${x.table}`;
  const mentioning = new Set(
    items
      .filter((i) => i.rule && JSON.stringify(i.rule).includes(STACK_BRIDGES))
      .map((i) => tableKey(i.rule as NftRuleJson)),
  );
  const chains = items.map((i) => i.chain as NftChainJson | undefined).filter((c): c is NftChainJson => !!c);
  const docker = new Set(chains.filter((c) => c.name === DOCKER_USER).map(tableKey));
  return chains
    .filter((c): c is NftChainJson & { hook: string } => c.hook !== undefined && FAMILIES.has(c.family))
    .map((c) => ({
      backend: 'nftables',
      table: tableKey(c),
      chain: c.name,
      hook: c.hook,
      policy: c.policy ?? 'accept',
      acceptsStack: mentioning.has(tableKey(c)),
      dockerUser: docker.has(tableKey(c)),
    }));
}

/** Base chains of legacy iptables' filter table (`iptables-legacy -t filter -S` output). */
export function legacyBaseChains(listing: string): BaseChain[] {
  const lines = listing.split('\n');
  const acceptsStack = lines.some((l) => l.startsWith('-A ') && l.includes(STACK_BRIDGES));
  const dockerUser = lines.includes(`-N ${DOCKER_USER}`);
  return lines
    .map((l) => /^-P (INPUT|FORWARD) (\S+)/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      backend: 'iptables-legacy',
      table: 'filter',
      chain: m[1]!,
      hook: m[1]!.toLowerCase(),
      policy: m[2]!.toLowerCase(),
      acceptsStack,
      dockerUser,
    }));
}

async function nftRuleset(): Promise<string> {
  try {
    return await nftRun('list ruleset', { json: true });
  } catch (err) {
    // Without libnftables the nft tool may still answer.
    const r = spawnSync('nft', ['-j', 'list', 'ruleset'], { encoding: 'utf8' });
    if (r.status === 0) return r.stdout;
    throw err;
  }
}

function legacyListing(): string | undefined {
  let names = '';
  try {
    names = readFileSync('/proc/net/ip_tables_names', 'utf8');
  } catch {
    return undefined; // no x_tables in this kernel: nothing legacy to read
  }
  if (!names.split('\n').includes('filter')) return undefined;
  for (const tool of ['iptables-legacy', 'iptables']) {
    const r = spawnSync(tool, ['-t', 'filter', '-S'], { encoding: 'utf8' });
    // `iptables` may be the nft variant, which lists nftables again: only a legacy one counts.
    if (
      r.status === 0 &&
      (tool === 'iptables-legacy' || /legacy/.test(spawnSync(tool, ['--version'], { encoding: 'utf8' }).stdout ?? ''))
    )
      return r.stdout;
  }
  return undefined;
}

/** Every base chain the host has, or why they cannot be listed. */
export async function hostBaseChains(): Promise<BaseChain[] | string> {
  let chains: BaseChain[];
  try {
    chains = nftBaseChains(await nftRuleset());
  } catch (err) {
    return `cannot list nftables: ${(err as Error).message}`;
  }
  const legacy = legacyListing();
  return legacy === undefined ? chains : [...chains, ...legacyBaseChains(legacy)];
}
