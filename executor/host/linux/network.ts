// Bridges and veth pairs through iproute2: one `ip -batch -` process per bridge and two
// processes per container endpoint (the link add in the host netns, then the addresses and
// routes from inside the container's netns). Presence checks read /sys/class/net, which
// costs no process. Every name and address is validated before it reaches `ip`, whose
// batch input is line- and word-based.

import { access, writeFile } from 'node:fs/promises';
import type { Host } from '../../host.js';
import {
  assertIPv4, assertIfname, assertPrefixLength, assertStkLink,
} from './literals.js';
import { runTool, ToolError } from './run-tool.js';

async function exists(path: string): Promise<boolean> {
  try { await access(path); return true; } catch { return false; }
}

const linkExists = (name: string) => exists(`/sys/class/net/${name}`);

/** Deletes a link we own; a link that vanished meanwhile is not an error. */
async function deleteLink(name: string): Promise<void> {
  if (!(await linkExists(name))) return;
  try {
    await runTool('ip', ['link', 'del', 'dev', name]);
  } catch (e) {
    if (e instanceof ToolError && /Cannot find device|does not exist/i.test(e.stderr)) return;
    throw e;
  }
}

function assertPid(pid: number): number {
  if (!Number.isInteger(pid) || pid < 1) throw new Error(`invalid pid: ${JSON.stringify(pid)}`);
  return pid;
}

export function createLinuxNetworks(): Host['networks'] {
  return {
    async createBridge(net) {
      const br = assertStkLink(net.bridge);
      const gw = `${assertIPv4(net.gateway, 'gateway')}/${assertPrefixLength(net.prefixLength)}`;
      const present = await linkExists(br);
      if (present && !(await exists(`/sys/class/net/${br}/bridge`))) throw new Error(`link ${br} exists and is not a bridge`);
      // `addr replace` and `link set up` are idempotent, so a present bridge is repaired by
      // the same single process that creates a missing one.
      const tail = [`addr replace ${gw} dev ${br}`, `link set dev ${br} up`];
      try {
        await runTool('ip', ['-batch', '-'], [...(present ? [] : [`link add name ${br} type bridge`]), ...tail, ''].join('\n'));
      } catch (e) {
        // Another caller created it between our check and our add: finish the setup.
        if (!(e instanceof ToolError && /File exists/.test(e.stderr))) throw e;
        await runTool('ip', ['-batch', '-'], [...tail, ''].join('\n'));
      }
      // DNAT of 127.0.0.1 published ports routes loopback-sourced packets out of the
      // bridge; the kernel drops them as martians unless route_localnet is on.
      await writeFile(`/proc/sys/net/ipv4/conf/${br}/route_localnet`, '1');
    },

    async removeBridge(bridge) {
      await deleteLink(assertStkLink(bridge));
    },

    async attach(pid, ep) {
      const p = assertPid(pid);
      const hv = assertStkLink(ep.hostVeth);
      const br = assertStkLink(ep.bridge);
      const ifname = assertIfname(ep.ifname);
      const addr = `${assertIPv4(ep.ip)}/${assertPrefixLength(ep.prefixLength)}`;
      const gw = assertIPv4(ep.gateway, 'gateway');
      // One netlink request: host end on the bridge and up, peer created straight in the
      // container's netns (never visible on the host under its container name).
      await runTool('ip', ['link', 'add', 'name', hv, 'master', br, 'up', 'type', 'veth', 'peer', 'name', ifname, 'netns', String(p)]);
      // The peer is brought up from inside: at creation it would fail with ENOTCONN.
      const inside = ['link set dev lo up', `addr add ${addr} dev ${ifname}`, `link set dev ${ifname} up`];
      if (ep.defaultRoute) inside.push(`route replace default via ${gw} dev ${ifname}`);
      try {
        await runTool('nsenter', [`--net=/proc/${p}/ns/net`, 'ip', '-batch', '-'], [...inside, ''].join('\n'));
      } catch (e) {
        // Leave nothing half-made behind: removing the host end removes the peer too.
        await deleteLink(hv).catch(() => {});
        throw e;
      }
    },

    async detach(hostVeth) {
      await deleteLink(assertStkLink(hostVeth));
    },
  };
}
