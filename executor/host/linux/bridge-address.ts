// A stack bridge's MAC address is fixed for its whole life. A Linux bridge given no address
// takes the lowest MAC of its ports and changes it whenever that port leaves: every
// container on it then holds a stale neighbour entry for its gateway, and its DNS, egress
// and published ports stop for up to ~30 s (until the entry goes stale). Removing one
// container, or another stack's `down`, is enough to trigger it.

import { createHash } from 'node:crypto';
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
  const bytes = [...createHash('sha256').update(assertStkLink(bridge)).digest().subarray(0, 6)];
  bytes[0] = (bytes[0]! & 0xfc) | 0x02;
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
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
