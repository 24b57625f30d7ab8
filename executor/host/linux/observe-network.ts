// Read-only looks at the host's network state, used by observe and to pick subnets that
// do not collide with anything the host already routes.

import { intToIp, parseCidr } from '../../../planner/ipam.js';
import { assertStkTable } from './literals.js';
import { runTool } from './run-tool.js';

/** Names of every link in the current network namespace. */
export async function listLinks(): Promise<Set<string>> {
  const links = JSON.parse(await runTool('ip', ['-j', 'link', 'show'])) as { ifname: string }[];
  return new Set(links.map((l) => l.ifname));
}

/** Whether nftables table `ip table` exists. */
export async function natTableExists(table: string): Promise<boolean> {
  const t = assertStkTable(table);
  const out = JSON.parse(await runTool('nft', ['-j', 'list', 'tables'])) as { nftables?: { table?: { family: string; name: string } }[] };
  return (out.nftables ?? []).some((e) => e.table?.family === 'ip' && e.table.name === t);
}

function networkOf(ip: string, len: number): string {
  return `${intToIp(parseCidr(`${ip}/${len}`).base)}/${len}`;
}

/** CIDRs of the host's IPv4 routes (main table, no default) and interface addresses. */
export async function takenSubnets(): Promise<string[]> {
  const [routesText, addrsText] = await Promise.all([
    runTool('ip', ['-j', '-4', 'route', 'show']),
    runTool('ip', ['-j', '-4', 'addr', 'show']),
  ]);
  const taken = new Set<string>();
  for (const r of JSON.parse(routesText) as { dst?: string }[]) {
    if (!r.dst || r.dst === 'default') continue;
    const [ip, len] = r.dst.split('/');
    // Host routes come without a prefix length.
    if (/^[0-9.]+$/.test(ip!)) taken.add(networkOf(ip!, len === undefined ? 32 : Number(len)));
  }
  for (const link of JSON.parse(addrsText) as { addr_info?: { family?: string; local?: string; prefixlen?: number }[] }[]) {
    for (const a of link.addr_info ?? []) {
      if (a.family === 'inet' && a.local && typeof a.prefixlen === 'number') taken.add(networkOf(a.local, a.prefixlen));
    }
  }
  return [...taken];
}
