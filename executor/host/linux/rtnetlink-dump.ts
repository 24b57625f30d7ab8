// Read-only rtnetlink dumps for observe: every link with its UP flag and IPv4 addresses,
// and the IPv4 routes of the main table. What `ip -j addr` and `ip -j route` print, without
// starting those two processes on every `up` and `plan`.

import { intToIp } from '../../../model/ipam.js';
import { findAttr, NETLINK_ROUTE, NetlinkSocket, parseAttrs } from './netlink.js';

const RTM = { NEWLINK: 16, GETLINK: 18, NEWADDR: 20, GETADDR: 22, NEWROUTE: 24, GETROUTE: 26 } as const;
const IFLA_IFNAME = 3;
const IFLA_EXT_MASK = 29;
const RTEXT_FILTER_SKIP_STATS = 1 << 3;
const IFA = { ADDRESS: 1, LOCAL: 2 } as const;
const RTA = { DST: 1, TABLE: 15 } as const;
const AF_INET = 2;
const IFF_UP = 0x1;
const RT_TABLE_MAIN = 254;

export interface LinkState {
  /** Administratively up (the UP flag; a bridge without ports still reports operstate DOWN). */
  up: boolean;
  /** IPv4 addresses as `ip/prefix`. */
  addresses: string[];
}

const cString = (b: Buffer) => b.toString('utf8').replace(/\0.*$/s, '');
const ipv4 = (b: Buffer) => intToIp(b.readUInt32BE(0));

function withSocket<T>(f: (nl: NetlinkSocket) => T): T {
  const nl = NetlinkSocket.open(NETLINK_ROUTE);
  try {
    return f(nl);
  } finally {
    nl.close();
  }
}

/** Every link of this network namespace by name, with its IPv4 addresses. */
export function dumpLinks(): Map<string, LinkState> {
  return withSocket((nl) => {
    const byIndex = new Map<number, { name: string; state: LinkState }>();
    const linkReq = Buffer.alloc(16); // struct ifinfomsg, all zero: every link
    const mask = Buffer.alloc(8);
    mask.writeUInt16LE(8, 0);
    mask.writeUInt16LE(IFLA_EXT_MASK, 2);
    mask.writeUInt32LE(RTEXT_FILTER_SKIP_STATS, 4);
    for (const m of nl.dump('RTM_GETLINK dump', RTM.GETLINK, Buffer.concat([linkReq, mask]))) {
      if (m.type !== RTM.NEWLINK) continue;
      const name = findAttr(m.payload, 16, IFLA_IFNAME);
      if (name)
        byIndex.set(m.payload.readInt32LE(4), {
          name: cString(name),
          state: { up: (m.payload.readUInt32LE(8) & IFF_UP) !== 0, addresses: [] },
        });
    }
    const addrReq = Buffer.alloc(8); // struct ifaddrmsg: family, prefixlen, flags, scope, index
    addrReq.writeUInt8(AF_INET, 0);
    for (const m of nl.dump('RTM_GETADDR dump', RTM.GETADDR, addrReq)) {
      if (m.type !== RTM.NEWADDR || m.payload.readUInt8(0) !== AF_INET) continue;
      const attrs = parseAttrs(m.payload, 8);
      const local = attrs.get(IFA.LOCAL) ?? attrs.get(IFA.ADDRESS);
      const link = byIndex.get(m.payload.readInt32LE(4));
      if (local && link) link.state.addresses.push(`${ipv4(local)}/${m.payload.readUInt8(1)}`);
    }
    return new Map([...byIndex.values()].map((l) => [l.name, l.state]));
  });
}

/** Destinations (`a.b.c.d/len`) of the main table's IPv4 routes; the default route is left out. */
export function dumpRouteDestinations(): string[] {
  return withSocket((nl) => {
    const req = Buffer.alloc(12); // struct rtmsg
    req.writeUInt8(AF_INET, 0);
    const out: string[] = [];
    for (const m of nl.dump('RTM_GETROUTE dump', RTM.GETROUTE, req)) {
      if (m.type !== RTM.NEWROUTE || m.payload.readUInt8(0) !== AF_INET) continue;
      const attrs = parseAttrs(m.payload, 12);
      const table = attrs.get(RTA.TABLE)?.readUInt32LE(0) ?? m.payload.readUInt8(4);
      const dst = attrs.get(RTA.DST);
      if (table === RT_TABLE_MAIN && dst) out.push(`${ipv4(dst)}/${m.payload.readUInt8(1)}`);
    }
    return out;
  });
}
