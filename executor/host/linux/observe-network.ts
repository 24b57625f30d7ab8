// Read-only looks at the host's network state, used by observe and to pick subnets that
// do not collide with anything the host already routes.

import { intToIp, parseCidr } from '../../../model/ipam.js';
import { ip6ToBig } from '../../../model/ipam6.js';
import { readFileSync } from 'node:fs';
import type { NatSpec } from '../../../model/plan.js';
import { nftRun } from './libnftables.js';
import { bridgeAddressFixed } from './link-addresses.js';
import { natRuleCounts } from './nat-ruleset.js';
import { nat6RuleCounts, needsNat6 } from './nat6-ruleset.js';
import { assertStkLink, assertStkTable } from './literals.js';
import { dumpLinks, dumpRouteDestinations, type LinkState } from './rtnetlink-dump.js';

export type { LinkState };

/** Every link of the current network namespace with its state (one rtnetlink socket, no process). */
export async function readLinks(): Promise<Map<string, LinkState>> {
  return dumpLinks();
}

/** Names of every link in the current network namespace. */
export async function listLinks(): Promise<Set<string>> {
  return new Set((await readLinks()).keys());
}

/**
 * Whether a stack bridge is as createBridge left it: present, up, with its gateway address,
 * route_localnet (without which 127.0.0.1 published ports silently stop working) and a MAC
 * address that stays (link-addresses.ts).
 */
export function bridgeConfigured(
  links: Map<string, LinkState>,
  net: { bridge: string; gateway: string; prefixLength: number; gateway6?: string; prefixLength6?: number },
): boolean {
  const link = links.get(net.bridge);
  if (!link?.up || !link.addresses.includes(`${net.gateway}/${net.prefixLength}`) || !bridgeAddressFixed(net.bridge))
    return false;
  try {
    const br = assertStkLink(net.bridge);
    if (readFileSync(`/proc/sys/net/ipv4/conf/${br}/route_localnet`, 'utf8').trim() !== '1') return false;
    return net.gateway6 === undefined || hasIpv6Gateway(br, net.gateway6, net.prefixLength6 ?? 64);
  } catch {
    return false;
  }
}

/**
 * Whether bridge `br` has IPv6 on and `gateway/prefix` among its addresses: the lines of
 * /proc/net/if_inet6 are `<32 hex digits> <index> <prefix, hex> <scope> <flags> <name>`
 * (the rtnetlink dump stack reads links from asks for IPv4 addresses only).
 */
function hasIpv6Gateway(br: string, gateway: string, prefix: number): boolean {
  if (readFileSync(`/proc/sys/net/ipv6/conf/${br}/disable_ipv6`, 'utf8').trim() !== '0') return false;
  const hex = ip6ToBig(gateway).toString(16).padStart(32, '0');
  return readFileSync('/proc/net/if_inet6', 'utf8')
    .split('\n')
    .some((line) => {
      const [addr, , len, , , name] = line.trim().split(/\s+/);
      return addr === hex && name === br && parseInt(len ?? '', 16) === prefix;
    });
}

/**
 * The names of the host's `ip` tables (one listing through the shared libnftables context):
 * an observe lists them once and its checks below share the listing.
 */
export async function ipTableNames(): Promise<Set<string>> {
  const out = JSON.parse(await nftRun('list tables ip', { json: true })) as {
    nftables?: { table?: { family: string; name: string } }[];
  };
  return new Set((out.nftables ?? []).flatMap((e) => (e.table?.family === 'ip' ? [e.table.name] : [])));
}

/** Whether nftables table `ip table` exists, in `tables` (ipTableNames) or else a listing of its own. */
export async function natTableExists(table: string, tables?: Promise<Set<string>>): Promise<boolean> {
  const t = assertStkTable(table);
  return (await (tables ?? ipTableNames())).has(t);
}

/**
 * Whether the stack's nftables table is as stack wrote it (through the shared libnftables
 * context, no process): present, with each chain holding its rules. A deleted table, a
 * flushed one (`nft flush table` keeps the chains, drops the rules) or a deleted rule is
 * drift that the next apply repairs.
 */
export async function natTableIntact(spec: NatSpec, tables?: Promise<Set<string>>): Promise<boolean> {
  const t = assertStkTable(spec.table);
  if (!(await natTableExists(t, tables)) || !(await chainsHold(`ip ${t}`, natRuleCounts(spec)))) return false;
  // A stack with IPv6 has an ip6 table of the same name (nat6-ruleset.ts), held to the same standard.
  return !needsNat6(spec) || (await chainsHold(`ip6 ${t}`, nat6RuleCounts(spec)).catch(() => false));
}

/** Whether each chain of table `familyAndName` holds `counts[chain]` rules. */
async function chainsHold(familyAndName: string, counts: Record<string, number>): Promise<boolean> {
  const listed = JSON.parse(await nftRun(`list table ${familyAndName}`, { json: true })) as {
    nftables?: { chain?: { name: string }; rule?: { chain: string } }[];
  };
  const found: Record<string, number> = {};
  for (const e of listed.nftables ?? []) {
    if (e.chain) found[e.chain.name] ??= 0;
    if (e.rule) found[e.rule.chain] = (found[e.rule.chain] ?? 0) + 1;
  }
  return Object.entries(counts).every(([chain, rules]) => found[chain] === rules);
}

/**
 * The names after `<project>/` in the comments of the stack's table (network keys and
 * services): with every record gone, they are what is left to find the stack's bridges by
 * (a candidate counts only when bridgeName of it exists). Empty when there is no table.
 */
export async function natTableLabels(table: string, project: string, tables?: Promise<Set<string>>): Promise<string[]> {
  const t = assertStkTable(table);
  if (!(await natTableExists(t, tables))) return [];
  const listed = JSON.parse(await nftRun(`list table ip ${t}`, { json: true })) as {
    nftables?: { rule?: { comment?: string } }[];
  };
  const prefix = `${project}/`;
  return [
    ...new Set(
      (listed.nftables ?? []).flatMap((e) =>
        e.rule?.comment?.startsWith(prefix) ? [e.rule.comment.slice(prefix.length)] : [],
      ),
    ),
  ];
}

function networkOf(ip: string, len: number): string {
  return `${intToIp(parseCidr(`${ip}/${len}`).base)}/${len}`;
}

/** CIDRs of the host's IPv4 routes (main table, no default) and interface addresses. */
export async function takenSubnets(links?: Map<string, LinkState>): Promise<string[]> {
  const linkStates = links ?? (await readLinks());
  const taken = new Set<string>();
  for (const dst of dumpRouteDestinations()) {
    const [ip, len] = dst.split('/');
    taken.add(networkOf(ip!, Number(len)));
  }
  for (const link of linkStates.values()) {
    for (const a of link.addresses) {
      const [ip, len] = a.split('/');
      taken.add(networkOf(ip!, Number(len)));
    }
  }
  return [...taken];
}
