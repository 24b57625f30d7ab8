// MAC addresses that never surprise a neighbour cache. Linux keeps a neighbour's MAC for
// ~30 s before it checks it again, so an address that changes under a known IP sends
// traffic nowhere meanwhile.
// - A stack bridge's MAC is fixed for its whole life. A Linux bridge given no address takes
//   the lowest MAC of its ports and changes it whenever that port leaves: every container
//   on it then holds a stale entry for its gateway, and its DNS, egress and published ports
//   stop. Removing one container, or another stack's `down`, is enough to trigger it.
// - A container's interface MAC follows from its IP. A recreated container keeps its
//   address (planner/plan/plan-endpoints.ts); with a new random MAC, the peers that talked to
//   the old one could not reach the new one until their entries went stale.

import { sha256 } from '../../../model/sha256.js';
import { readFileSync } from 'node:fs';
import { assertStkLink } from './literals.js';
import type { NetlinkSocket } from './netlink.js';
import { setLinkAddress } from './rtnetlink.js';

/** NET_ADDR_SET in /sys/class/net/<link>/addr_assign_type: the address was given, not derived. */
const ADDR_SET = '3';

/**
 * The MAC a stack bridge is created with: derived from its name, so a bridge recreated by
 * drift repair comes back with the address its containers have cached. Locally administered
 * (bit 1 of the first byte) and unicast (bit 0 clear).
 */
export function bridgeMac(bridge: string): string {
  const bytes = [...sha256(assertStkLink(bridge)).subarray(0, 6)];
  bytes[0] = (bytes[0]! & 0xfc) | 0x02;
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** The MAC of the container interface holding `ip`: 02:42 and the address's four bytes, as docker did. */
export function containerMac(ip: string): string {
  return ['02', '42', ...ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0'))].join(':');
}

/** Whether the bridge keeps its address whatever ports come and go. */
export function bridgeAddressFixed(bridge: string): boolean {
  try {
    return readFileSync(`/sys/class/net/${assertStkLink(bridge)}/addr_assign_type`, 'utf8').trim() === ADDR_SET;
  } catch {
    return false;
  }
}

/**
 * Fixes a bridge made without an address (by an older stack) at the address it has now:
 * setting the same MAC changes nothing its containers see, and stops later changes.
 */
export function fixBridgeAddress(nl: NetlinkSocket, bridge: string): void {
  if (bridgeAddressFixed(bridge)) return;
  const current = readFileSync(`/sys/class/net/${assertStkLink(bridge)}/address`, 'utf8').trim();
  setLinkAddress(nl, bridge, current);
}
