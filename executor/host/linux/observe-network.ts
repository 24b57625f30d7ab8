// Read-only looks at the host's network state, used by observe and to pick subnets that
// do not collide with anything the host already routes.

import { intToIp, parseCidr } from '../../../planner/ipam.js';
import { readFileSync } from 'node:fs';
import { nftRun } from './libnftables.js';
import { assertStkLink, assertStkTable } from './literals.js';
import { runTool } from './run-tool.js';

export interface LinkState {
  /** Administratively up (the UP flag; a bridge without ports still reports operstate DOWN). */
  up: boolean;
  /** IPv4 addresses as `ip/prefix`. */
  addresses: string[];
}

/** Every link of the current network namespace with its state, from one `ip -j addr`. */
export async function readLinks(): Promise<Map<string, LinkState>> {
  const links = JSON.parse(await runTool('ip', ['-j', 'addr', 'show'])) as {
    ifname: string;
    flags?: string[];
    addr_info?: { family?: string; local?: string; prefixlen?: number }[];
  }[];
  return new Map(
    links.map((l) => [
      l.ifname,
      {
        up: (l.flags ?? []).includes('UP'),
        addresses: (l.addr_info ?? []).filter((a) => a.family === 'inet' && a.local).map((a) => `${a.local}/${a.prefixlen}`),
      },
    ]),
  );
}

/** Names of every link in the current network namespace. */
export async function listLinks(): Promise<Set<string>> {
  return new Set((await readLinks()).keys());
}

/**
 * Whether a stack bridge is as createBridge left it: present, up, with its gateway address
 * and route_localnet (without which 127.0.0.1 published ports silently stop working).
 */
export function bridgeConfigured(links: Map<string, LinkState>, net: { bridge: string; gateway: string; prefixLength: number }): boolean {
  const link = links.get(net.bridge);
  if (!link?.up || !link.addresses.includes(`${net.gateway}/${net.prefixLength}`)) return false;
  try {
    return readFileSync(`/proc/sys/net/ipv4/conf/${assertStkLink(net.bridge)}/route_localnet`, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/** Whether nftables table `ip table` exists (through the shared libnftables context, no process). */
export async function natTableExists(table: string): Promise<boolean> {
  const t = assertStkTable(table);
  const out = JSON.parse(await nftRun('list tables ip', { json: true })) as { nftables?: { table?: { family: string; name: string } }[] };
  return (out.nftables ?? []).some((e) => e.table?.family === 'ip' && e.table.name === t);
}

function networkOf(ip: string, len: number): string {
  return `${intToIp(parseCidr(`${ip}/${len}`).base)}/${len}`;
}

/** CIDRs of the host's IPv4 routes (main table, no default) and interface addresses. */
export async function takenSubnets(links?: Map<string, LinkState>): Promise<string[]> {
  const [routesText, linkStates] = await Promise.all([runTool('ip', ['-j', '-4', 'route', 'show']), links ?? readLinks()]);
  const taken = new Set<string>();
  for (const r of JSON.parse(routesText) as { dst?: string }[]) {
    if (!r.dst || r.dst === 'default') continue;
    const [ip, len] = r.dst.split('/');
    // Host routes come without a prefix length.
    if (/^[0-9.]+$/.test(ip!)) taken.add(networkOf(ip!, len === undefined ? 32 : Number(len)));
  }
  for (const link of linkStates.values()) {
    for (const a of link.addresses) {
      const [ip, len] = a.split('/');
      taken.add(networkOf(ip!, Number(len)));
    }
  }
  return [...taken];
}
