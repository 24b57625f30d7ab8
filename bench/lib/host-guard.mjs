// What the peers change on the host, put back afterwards. dockerd and podman add nftables
// tables through iptables-nft (docker sets the FORWARD policy to DROP, which would drop
// every stack container's forwarded traffic), bridges (docker0, br-…, cni-podman0), veths,
// network namespaces, cgroups and sometimes ip_forward. The guard snapshots the host before
// a peer runs and, after, removes exactly the objects that appeared meanwhile — never the
// `stk` objects of stack itself, which tests may be creating at the same time.

import fs from 'node:fs';
import path from 'node:path';
import { quiet } from './run.mjs';

const nftTables = () =>
  quiet('nft', ['list', 'tables'])
    .stdout.split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('table '));
const links = () =>
  quiet('ip', ['-o', 'link', 'show'])
    .stdout.split('\n')
    .map((l) => l.split(': ')[1]?.split('@')[0])
    .filter(Boolean);
const netns = () => {
  try {
    return fs.readdirSync('/run/netns');
  } catch {
    return [];
  }
};

function cgroupTops() {
  const out = [];
  for (const c of fs.readdirSync('/sys/fs/cgroup')) {
    const dir = path.join('/sys/fs/cgroup', c);
    try {
      for (const e of fs.readdirSync(dir, { withFileTypes: true }))
        if (e.isDirectory()) out.push(path.join(dir, e.name));
    } catch {
      // a file, or a controller we cannot read
    }
  }
  return out;
}

function forwardPolicy() {
  const m = /-P FORWARD (\w+)/.exec(quiet('iptables', ['-S', 'FORWARD']).stdout);
  return m ? m[1] : undefined;
}

/** Removes a cgroup tree bottom-up; only empty cgroups can go, which is what we want. */
function rmCgroupTree(dir) {
  try {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory()) rmCgroupTree(path.join(dir, e.name));
    fs.rmdirSync(dir);
  } catch {
    // busy or gone
  }
}

export function snapshotHost() {
  return {
    ipForward: fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(),
    tables: nftTables(),
    links: links(),
    netns: netns(),
    cgroups: cgroupTops(),
    forward: forwardPolicy(),
    bridgeNf: bridgeNetfilter(),
  };
}

/**
 * dockerd loads br_netfilter and turns on bridge-nf-call-*: every frame crossing a bridge
 * then also passes the IP firewall hooks, which changes what bridges do for everything
 * else on the host. Their values, or undefined while the module is not loaded.
 */
const BRIDGE_NF = ['bridge-nf-call-iptables', 'bridge-nf-call-ip6tables', 'bridge-nf-call-arptables'];
function bridgeNetfilter() {
  if (!fs.existsSync('/proc/sys/net/bridge')) return undefined;
  return Object.fromEntries(BRIDGE_NF.map((k) => [k, fs.readFileSync(`/proc/sys/net/bridge/${k}`, 'utf8').trim()]));
}

/** Puts the host back as `before` found it; returns what it changed, for the log. */
export function restoreHost(before) {
  const done = [];
  for (const t of nftTables()) {
    if (before.tables.includes(t) || /\bstk/.test(t)) continue;
    const [, family, name] = t.split(/\s+/);
    quiet('nft', ['delete', 'table', family, name]);
    done.push(`nft ${family} ${name}`);
  }
  const nf = bridgeNetfilter();
  for (const k of BRIDGE_NF) {
    // Not loaded before: off is how bridges behaved then (the module itself stays loaded).
    const was = before.bridgeNf?.[k] ?? '0';
    if (nf && nf[k] !== was) {
      fs.writeFileSync(`/proc/sys/net/bridge/${k}`, was);
      done.push(`${k} ${was}`);
    }
  }
  if (before.forward && forwardPolicy() !== before.forward) {
    quiet('iptables', ['-P', 'FORWARD', before.forward]);
    done.push(`FORWARD policy ${before.forward}`);
  }
  for (const l of links()) {
    if (before.links.includes(l) || l.startsWith('stk')) continue;
    quiet('ip', ['link', 'delete', l]);
    done.push(`link ${l}`);
  }
  for (const n of netns()) {
    if (before.netns.includes(n) || n.startsWith('stk')) continue;
    quiet('ip', ['netns', 'delete', n]);
    done.push(`netns ${n}`);
  }
  for (const c of cgroupTops()) {
    if (before.cgroups.includes(c) || c.endsWith('/stack')) continue;
    rmCgroupTree(c);
    done.push(`cgroup ${c}`);
  }
  if (fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() !== before.ipForward) {
    fs.writeFileSync('/proc/sys/net/ipv4/ip_forward', before.ipForward);
    done.push(`ip_forward ${before.ipForward}`);
  }
  return done;
}

/** Unmounts everything at or below `root` (deepest first), for a peer's private data root. */
export function unmountBelow(root) {
  const mounts = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m) => m && (m === root || m.startsWith(`${root}/`)));
  for (const m of mounts.sort((a, b) => b.length - a.length)) quiet('umount', ['-l', m]);
}

/** SIGKILLs the processes whose command line mentions `marker` (a peer's private root). */
export function killMarked(marker) {
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone
    }
  }
}
