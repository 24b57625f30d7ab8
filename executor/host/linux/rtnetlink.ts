// The rtnetlink requests stack needs (what `ip link/addr/route` would send), each checked
// by its ACK and named in errors the way a user would read them: `RTM_NEWLINK veth stkv0`.
// Names and addresses are validated by the caller (literals.ts) before they get here.

import { ipToInt } from '../../../model/ipam.js';
import { ip6ToBig } from '../../../model/ipam6.js';
import { attr, NLM_F, nestAttr, parseAttrs, strAttr, u32Attr, type NetlinkSocket } from './netlink.js';

const RTM = { NEWLINK: 16, DELLINK: 17, GETLINK: 18, NEWADDR: 20, NEWROUTE: 24 } as const;
const IFLA = { ADDRESS: 1, IFNAME: 3, MTU: 4, MASTER: 10, LINKINFO: 18, NET_NS_FD: 28, EXT_MASK: 29 } as const;
const RTEXT_FILTER_SKIP_STATS = 1 << 3;
const IFLA_INFO = { KIND: 1, DATA: 2, SLAVE_KIND: 4, SLAVE_DATA: 5 } as const;
const IFLA_BRPORT_MODE = 4; // hairpin
const VETH_INFO_PEER = 1;
const IFA = { ADDRESS: 1, LOCAL: 2 } as const;
const RTA = { OIF: 4, GATEWAY: 5 } as const;
const AF_INET = 2;
const IFF_UP = 0x1;
const RT_TABLE_MAIN = 254;
const RTPROT_BOOT = 3; // what `ip route` marks its routes with
const RTN_UNICAST = 1;

const CREATE_NEW = NLM_F.CREATE | NLM_F.EXCL;

/** struct ifinfomsg: family, type, index, flags, change (which flags to set). */
function ifinfomsg(index = 0, up = false): Buffer {
  const b = Buffer.alloc(16);
  b.writeInt32LE(index, 4);
  if (up) {
    b.writeUInt32LE(IFF_UP, 8);
    b.writeUInt32LE(IFF_UP, 12);
  }
  return b;
}

/** An attribute holding an IPv4 address (4 bytes, network order). */
function attr4(type: number, ip: string): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(ipToInt(ip));
  return attr(type, b);
}

export interface LinkInfo {
  index: number;
  up: boolean;
  /** IFLA_INFO_KIND: `bridge`, `veth`, … (absent for plain devices such as lo). */
  kind?: string;
}

/** The link called `name`; NetlinkError ENODEV when there is none. */
export function getLink(nl: NetlinkSocket, name: string): LinkInfo {
  // Without the statistics the kernel builds a reply a quarter the size, in a quarter the time.
  const [reply] = nl.request(
    `RTM_GETLINK ${name}`,
    RTM.GETLINK,
    0,
    Buffer.concat([ifinfomsg(), strAttr(IFLA.IFNAME, name), u32Attr(IFLA.EXT_MASK, RTEXT_FILTER_SKIP_STATS)]),
  );
  if (!reply) throw new Error(`RTM_GETLINK ${name}: no link in the reply`);
  const p = reply.payload;
  const kind = parseAttrs(parseAttrs(p, 16).get(IFLA.LINKINFO) ?? Buffer.alloc(0)).get(IFLA_INFO.KIND);
  const info: LinkInfo = { index: p.readInt32LE(4), up: (p.readUInt32LE(8) & IFF_UP) !== 0 };
  if (kind) info.kind = kind.toString('utf8').replace(/\0.*$/s, '');
  return info;
}

/** An attribute holding a MAC address written `aa:bb:cc:dd:ee:ff`. */
function macAttr(type: number, mac: string): Buffer {
  return attr(type, Buffer.from(mac.split(':').map((h) => parseInt(h, 16))));
}

/**
 * Creates bridge `name` with MAC address `mac`, up; NetlinkError EEXIST when a link of that
 * name exists. A bridge given no address takes the lowest of its ports' and changes it as
 * ports come and go; one given an address keeps it (addr_assign_type 3, "set").
 */
/** The IFLA_MTU attribute when an MTU is given (else the kernel's default, 1500). */
const mtuAttr = (mtu: number | undefined): Buffer => (mtu === undefined ? Buffer.alloc(0) : u32Attr(IFLA.MTU, mtu));

export function newBridge(nl: NetlinkSocket, name: string, mac: string, mtu?: number): void {
  const linkinfo = nestAttr(IFLA.LINKINFO, strAttr(IFLA_INFO.KIND, 'bridge'));
  nl.request(
    `RTM_NEWLINK bridge ${name}`,
    RTM.NEWLINK,
    CREATE_NEW,
    Buffer.concat([ifinfomsg(0, true), strAttr(IFLA.IFNAME, name), macAttr(IFLA.ADDRESS, mac), mtuAttr(mtu), linkinfo]),
  );
}

/** `ip link set name address mac`: the link keeps that address from then on. */
export function setLinkAddress(nl: NetlinkSocket, name: string, mac: string): void {
  nl.request(
    `RTM_NEWLINK ${name} address ${mac}`,
    RTM.NEWLINK,
    0,
    Buffer.concat([ifinfomsg(), strAttr(IFLA.IFNAME, name), macAttr(IFLA.ADDRESS, mac)]),
  );
}

/** Sets IFF_UP on an existing link (a no-op when it is up). */
export function setUp(nl: NetlinkSocket, name: string): void {
  nl.request(`RTM_NEWLINK ${name} up`, RTM.NEWLINK, 0, Buffer.concat([ifinfomsg(0, true), strAttr(IFLA.IFNAME, name)]));
}

/**
 * One request for the whole pair: host end `hostName` on bridge `masterIndex` and up, peer
 * `peerName` with MAC `peerMac` created straight in the netns of `peerNetnsFd` (never
 * visible on the host). The peer stays down: bringing it up at creation fails (ENOTCONN);
 * do it from inside.
 */
export function newVeth(
  nl: NetlinkSocket,
  hostName: string,
  masterIndex: number,
  peerName: string,
  peerMac: string,
  peerNetnsFd: number,
  mtu?: number,
): void {
  const peer = Buffer.concat([
    ifinfomsg(),
    strAttr(IFLA.IFNAME, peerName),
    macAttr(IFLA.ADDRESS, peerMac),
    mtuAttr(mtu),
    u32Attr(IFLA.NET_NS_FD, peerNetnsFd),
  ]);
  const linkinfo = nestAttr(
    IFLA.LINKINFO,
    strAttr(IFLA_INFO.KIND, 'veth'),
    nestAttr(IFLA_INFO.DATA, nestAttr(VETH_INFO_PEER, peer)),
  );
  nl.request(
    `RTM_NEWLINK veth ${hostName}`,
    RTM.NEWLINK,
    CREATE_NEW,
    Buffer.concat([
      ifinfomsg(0, true),
      strAttr(IFLA.IFNAME, hostName),
      mtuAttr(mtu),
      u32Attr(IFLA.MASTER, masterIndex),
      linkinfo,
    ]),
  );
}

/**
 * `ip link set name type bridge_slave hairpin on`. Through netlink, not sysfs: a write to
 * brport/hairpin_mode that finds the rtnl lock taken (another link being made or removed,
 * a network namespace being torn down) retries at once in the kernel, spinning on a CPU
 * for as long as the lock is held, where netlink sleeps until it is free.
 */
export function setHairpin(nl: NetlinkSocket, name: string): void {
  const linkinfo = nestAttr(
    IFLA.LINKINFO,
    strAttr(IFLA_INFO.SLAVE_KIND, 'bridge'),
    nestAttr(IFLA_INFO.SLAVE_DATA, attr(IFLA_BRPORT_MODE, Buffer.from([1]))),
  );
  nl.request(
    `RTM_NEWLINK ${name} hairpin on`,
    RTM.NEWLINK,
    0,
    Buffer.concat([ifinfomsg(), strAttr(IFLA.IFNAME, name), linkinfo]),
  );
}

/**
 * Adds `ip/prefix` to link `index`. `replace` gives `ip addr replace` semantics (present
 * already: fine), otherwise it is `ip addr add` (present already: EEXIST).
 */
export function addAddress(nl: NetlinkSocket, index: number, ip: string, prefix: number, replace: boolean): void {
  newAddress(nl, AF_INET, 0, attr4, index, ip, prefix, replace);
}

const AF_INET6 = 10;
const IFA_F_NODAD = 0x02;

/** An attribute holding an IPv6 address (16 bytes, network order); the caller validated it. */
function attr6(type: number, ip: string): Buffer {
  const b = Buffer.alloc(16);
  const n = ip6ToBig(ip);
  for (let i = 0; i < 16; i++) b[i] = Number((n >> BigInt(120 - 8 * i)) & 0xffn);
  return attr(type, b);
}

/**
 * `ip -6 addr replace ip/prefix dev <index> nodad`: without duplicate address detection
 * the address is usable at once (a tentative one cannot be bound for a second or two), and
 * stack hands out each address once per network.
 */
export function addAddress6(nl: NetlinkSocket, index: number, ip: string, prefix: number): void {
  newAddress(nl, AF_INET6, IFA_F_NODAD, attr6, index, ip, prefix, true);
}

type AddressAttr = (type: number, ip: string) => Buffer;

function newAddress(
  nl: NetlinkSocket,
  family: number,
  ifaFlags: number,
  attrOf: AddressAttr,
  index: number,
  ip: string,
  prefix: number,
  replace: boolean,
): void {
  const msg = Buffer.alloc(8); // struct ifaddrmsg: family, prefixlen, flags, scope (universe), index
  msg.writeUInt8(family, 0);
  msg.writeUInt8(prefix, 1);
  msg.writeUInt8(ifaFlags, 2);
  msg.writeUInt32LE(index, 4);
  const flags = NLM_F.CREATE | (replace ? NLM_F.REPLACE : NLM_F.EXCL);
  nl.request(
    `RTM_NEWADDR ${ip}/${prefix}`,
    RTM.NEWADDR,
    flags,
    Buffer.concat([msg, attrOf(IFA.LOCAL, ip), attrOf(IFA.ADDRESS, ip)]),
  );
}

/** `ip route replace default via gateway dev <index>` in the main table. */
export function replaceDefaultRoute(nl: NetlinkSocket, index: number, gateway: string): void {
  defaultRoute(nl, AF_INET, attr4, index, gateway);
}

/** `ip -6 route replace default via gateway dev <index>` in the main table. */
export function replaceDefaultRoute6(nl: NetlinkSocket, index: number, gateway: string): void {
  defaultRoute(nl, AF_INET6, attr6, index, gateway);
}

function defaultRoute(nl: NetlinkSocket, family: number, attrOf: AddressAttr, index: number, gateway: string): void {
  const msg = Buffer.alloc(12); // struct rtmsg: family, dst_len 0 (default), …, table, protocol, scope, type, flags
  msg.writeUInt8(family, 0);
  msg.writeUInt8(RT_TABLE_MAIN, 4);
  msg.writeUInt8(RTPROT_BOOT, 5);
  msg.writeUInt8(RTN_UNICAST, 7);
  nl.request(
    `RTM_NEWROUTE default via ${gateway}`,
    RTM.NEWROUTE,
    NLM_F.CREATE | NLM_F.REPLACE,
    Buffer.concat([msg, attrOf(RTA.GATEWAY, gateway), u32Attr(RTA.OIF, index)]),
  );
}

/**
 * Deletes link `name`; false when there was none (ENODEV). The kernel spends ~30 ms in the
 * send, so it runs on a threadpool thread and the event loop keeps going.
 */
export async function deleteLink(nl: NetlinkSocket, name: string): Promise<boolean> {
  try {
    await nl.requestAsync(
      `RTM_DELLINK ${name}`,
      RTM.DELLINK,
      0,
      Buffer.concat([ifinfomsg(), strAttr(IFLA.IFNAME, name)]),
    );
    return true;
  } catch (e) {
    if ((e as { code?: string }).code === 'ENODEV') return false;
    throw e;
  }
}
