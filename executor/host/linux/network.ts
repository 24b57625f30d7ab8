// Bridges and veth pairs through raw rtnetlink: no process per step (two `ip -batch`
// processes cost ~10 ms per container, these requests well under 1 ms). Each operation uses
// its own netlink sockets, so concurrent operations never read each other's replies.
// Link deletion runs off the event loop (the kernel spends ~30 ms in it). Every name and
// address is validated before it goes into a request.

import { writeFile } from 'node:fs/promises';
import fs from 'node:fs';
import { BridgeTakenError, type Host } from '../../host.js';
import { dumpLinks } from './rtnetlink-dump.js';
import { assertIPv4, assertIPv6, assertIfname, assertMtu, assertPrefixLength, assertStkLink } from './literals.js';
import { linkLocalPrefix } from '../../../model/ipam.js';
import { bridgeMac, containerMac, fixBridgeAddress } from './link-addresses.js';
import { ifNameToIndex } from './libc.js';
import { NETLINK_ROUTE, NetlinkSocket } from './netlink.js';
import { netlinkSocketIn, openNetnsOf } from './netns-socket.js';
import { installFixedResolver } from './fixed-resolver.js';
import { writeInterfaceSysctls } from './interface-sysctls.js';
import {
  addAddress,
  addAddress6,
  deleteLink,
  getLink,
  newBridge,
  newVeth,
  replaceDefaultRoute,
  replaceDefaultRoute6,
  setHairpin,
  setUp,
} from './rtnetlink.js';

/** A validated IPv6 address with its prefix length (`gateway`: the same address, for a gateway). */
function ipv6Of(ip: string, prefix: number): { address: string; gateway: string; prefix: number } {
  const address = assertIPv6(ip);
  if (!Number.isInteger(prefix) || prefix < 1 || prefix > 128) throw new Error(`invalid IPv6 prefix length: ${prefix}`);
  return { address, gateway: address, prefix };
}

function assertPid(pid: number): number {
  if (!Number.isInteger(pid) || pid < 1) throw new Error(`invalid pid: ${JSON.stringify(pid)}`);
  return pid;
}

/** Runs `f` with a host-netns rtnetlink socket that is closed afterwards. */
async function withHostSocket<T>(f: (nl: NetlinkSocket) => T | Promise<T>): Promise<T> {
  const nl = NetlinkSocket.open(NETLINK_ROUTE);
  try {
    return await f(nl);
  } finally {
    nl.close();
  }
}

/** Deletes a link we own; one that is absent (or vanished meanwhile) is not an error. */
const removeLink = (name: string) => withHostSocket((nl) => deleteLink(nl, name));

export function createLinuxNetworks(): Host['networks'] {
  return {
    async createBridge(net) {
      const br = assertStkLink(net.bridge);
      const gw = assertIPv4(net.gateway, 'gateway');
      const prefix = assertPrefixLength(net.prefixLength);
      const v6 = net.subnet6 === undefined ? undefined : ipv6Of(net.gateway6!, net.prefixLength6!);
      await withHostSocket((nl) => {
        try {
          newBridge(nl, br, bridgeMac(br), net.mtu === undefined ? undefined : assertMtu(net.mtu));
        } catch (e) {
          // Present already (an earlier run, or another caller just now): repair it in place.
          if ((e as { code?: string }).code !== 'EEXIST') throw e;
          if (getLink(nl, br).kind !== 'bridge') throw new Error(`link ${br} exists and is not a bridge`);
          // Ours to repair only when it holds no other address than the gateway's: else it is
          // another network's (the same custom name), and the two must not become one link.
          const wanted = `${gw}/${prefix}`;
          const others = (dumpLinks().get(br)?.addresses ?? []).filter((a) => a !== wanted);
          if (others.length > 0) throw new BridgeTakenError(br, others, wanted);
          setUp(nl, br);
          fixBridgeAddress(nl, br);
        }
        // `addr replace` semantics: present already is fine, so this also repairs.
        addAddress(nl, ifNameToIndex(br), gw, prefix, true);
        if (v6) {
          // Per interface, never host-wide: the host may keep IPv6 off by default.
          fs.writeFileSync(`/proc/sys/net/ipv6/conf/${br}/disable_ipv6`, '0');
          addAddress6(nl, ifNameToIndex(br), v6.gateway, v6.prefix);
        }
      });
      // DNAT of 127.0.0.1 published ports routes loopback-sourced packets out of the
      // bridge; the kernel drops them as martians unless route_localnet is on.
      await writeFile(`/proc/sys/net/ipv4/conf/${br}/route_localnet`, '1');
    },

    async removeBridge(bridge) {
      await removeLink(assertStkLink(bridge));
    },

    async attach(pid, ep) {
      const p = assertPid(pid);
      const hv = assertStkLink(ep.hostVeth);
      const br = assertStkLink(ep.bridge);
      const ifname = assertIfname(ep.ifname);
      const ip = assertIPv4(ep.ip);
      const prefix = assertPrefixLength(ep.prefixLength);
      const gw = assertIPv4(ep.gateway, 'gateway');
      const mtu = ep.mtu === undefined ? undefined : assertMtu(ep.mtu);
      const linkLocal = (ep.linkLocalIps ?? []).map((a) => assertIPv4(a, 'link-local address'));
      const v6 =
        ep.ip6 === undefined
          ? undefined
          : { ...ipv6Of(ep.ip6, ep.prefixLength6!), gateway: ipv6Of(ep.gateway6!, 128).gateway };
      const netns = openNetnsOf(p);
      const host = NetlinkSocket.open(NETLINK_ROUTE);
      let made = false;
      try {
        newVeth(host, hv, ifNameToIndex(br), ifname, ep.mac ?? containerMac(ip), netns, mtu);
        made = true;
        // Hairpin: a container reaching its own published port through the host. With
        // br_netfilter the DNAT happens at bridge level and the frame must go back out of
        // the port it came in on, which a bridge port refuses unless hairpin mode is on.
        setHairpin(host, hv);
        const inside = netlinkSocketIn(netns, NETLINK_ROUTE);
        try {
          setUp(inside, 'lo');
          const index = getLink(inside, ifname).index;
          addAddress(inside, index, ip, prefix, false);
          for (const extra of linkLocal) addAddress(inside, index, extra, linkLocalPrefix(extra), false);
          if (v6) {
            writeInterfaceSysctls(netns, ifname, [{ family: 'ipv6', group: 'conf', name: 'disable_ipv6', value: '0' }]);
            addAddress6(inside, index, v6.address, v6.prefix);
          }
          if (ep.sysctls) writeInterfaceSysctls(netns, ifname, ep.sysctls);
          setUp(inside, ifname);
          if (ep.defaultRoute) replaceDefaultRoute(inside, index, gw);
          if (ep.defaultRoute && v6) replaceDefaultRoute6(inside, index, v6.gateway);
        } finally {
          inside.close();
        }
      } catch (e) {
        // Leave nothing half-made behind: removing the host end removes the peer too.
        if (made) await deleteLink(host, hv).catch(() => {});
        throw e;
      } finally {
        host.close();
        fs.closeSync(netns);
      }
    },

    async detach(hostVeth) {
      await removeLink(assertStkLink(hostVeth));
    },

    fixedResolver: (pid, gateway) => installFixedResolver(assertPid(pid), gateway),

    async loopback(pid) {
      const netns = openNetnsOf(assertPid(pid));
      try {
        const inside = netlinkSocketIn(netns, NETLINK_ROUTE);
        try {
          setUp(inside, 'lo');
        } finally {
          inside.close();
        }
      } finally {
        fs.closeSync(netns);
      }
    },
  };
}
