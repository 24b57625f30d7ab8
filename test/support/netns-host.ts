// A named network namespace that plays a whole host for tests that change host-wide network
// settings: a private dockerd (FORWARD policy DROP, ip_forward, its iptables chains) or a
// firewall table with drop policies. Done on the real host, those would cut every other
// stack on the machine off while the test runs; in here they end with the namespace.
//
// Commands run in it through `wrap`: its network namespace plus a mount namespace of their
// own with a sysfs mounted from inside (so /sys/class/net shows its links, as `ip netns
// exec` does) and the host's cgroup mounts moved onto the new /sys (which `ip netns exec`
// loses: dockerd and stack both need them).

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface NetnsHost {
  name: string;
  /** Prefix for a command line that runs it inside the namespace. */
  wrap: string[];
  /** Runs a command inside; stdout holds stderr too. */
  run(args: string[], opts?: { input?: string; timeoutMs?: number }): { code: number; stdout: string };
  /** Like run, but throws with the output when the command fails. */
  must(args: string[], opts?: { input?: string }): string;
  dispose(): void;
}

const SYSFS_OF_THE_NAMESPACE = [
  'set -e',
  'd=$(mktemp -d /tmp/stk-cgroup-move.XXXXXX)',
  'mount --rbind /sys/fs/cgroup "$d"',
  'mount -t sysfs stk-sysfs /sys',
  'mount --move "$d" /sys/fs/cgroup',
  'rmdir "$d"',
  'exec "$@"',
].join('; ');

export function makeNetnsHost(): NetnsHost {
  const name = `stk-host-${randomBytes(3).toString('hex')}`;
  const add = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  if (add.status !== 0) throw new Error(`ip netns add ${name}: ${add.stderr}`);
  const wrap = [
    'nsenter',
    `--net=/run/netns/${name}`,
    '--',
    'unshare',
    '--mount',
    '--propagation',
    'slave',
    '--',
    'sh',
    '-c',
    SYSFS_OF_THE_NAMESPACE,
    'sh',
  ];
  const run: NetnsHost['run'] = (args, opts = {}) => {
    const r = spawnSync(wrap[0]!, [...wrap.slice(1), ...args], {
      encoding: 'utf8',
      input: opts.input,
      timeout: opts.timeoutMs ?? 20_000,
    });
    return { code: r.status ?? -1, stdout: (r.stdout ?? '') + (r.stderr ?? '') };
  };
  const must: NetnsHost['must'] = (args, opts) => {
    const r = run(args, opts);
    if (r.code !== 0) throw new Error(`in ${name}: ${args.join(' ')} exited ${r.code}: ${r.stdout}`);
    return r.stdout;
  };
  const dispose = () => {
    // Whatever still runs in it (a supervisor a failed test left, docker's proxies) goes first.
    const pids = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone
      }
    }
    spawnSync('ip', ['netns', 'delete', name]);
  };
  try {
    must(['ip', 'link', 'set', 'lo', 'up']);
  } catch (e) {
    dispose();
    throw e;
  }
  return { name, wrap, run, must, dispose };
}

const read = (f: string) => spawnSync('cat', [f], { encoding: 'utf8' }).stdout.trim() || 'absent';
const IP_FORWARD_USERS = '/run/stack-ip-forward';

/**
 * The host-wide settings a coexistence test may touch, to compare before and after.
 * ip_forward counts only while no stack on the host holds it (stack-ip-forward users):
 * other test runs' stacks turn it on and off meanwhile.
 */
export function hostNetworkSettings(): Record<string, string> {
  const users = spawnSync('ls', [IP_FORWARD_USERS], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((f) => f.startsWith('user-'));
  return {
    ip_forward: users.length > 0 ? 'held by a stack' : read('/proc/sys/net/ipv4/ip_forward'),
    'bridge-nf-call-iptables': read('/proc/sys/net/bridge/bridge-nf-call-iptables'),
    br_netfilter: spawnSync(
      'sh',
      ['-c', 'test -d /sys/module/br_netfilter && echo loaded || echo not-loaded-or-built-in'],
      { encoding: 'utf8' },
    ).stdout.trim(),
    // Tables other than stack's (other test runs make stk ones meanwhile).
    tables: spawnSync('nft', ['list', 'tables'], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((l) => l && !/\bstk/.test(l))
      .join(', '),
    ip_tables_names: read('/proc/net/ip_tables_names'),
    // Read through nft: `iptables -S` could make the table it lists.
    'FORWARD policy':
      /policy (\w+)/.exec(
        spawnSync('nft', ['list', 'chain', 'ip', 'filter', 'FORWARD'], { encoding: 'utf8' }).stdout,
      )?.[1] ?? 'no ip filter FORWARD chain',
  };
}

/**
 * dockerd loads br_netfilter (on a kernel where it is a module). Unloaded again only when it
 * was not loaded before and nothing holds it now.
 */
export function brNetfilterLoaded(): boolean {
  return spawnSync('test', ['-e', '/proc/sys/net/bridge/bridge-nf-call-iptables']).status === 0;
}

export function restoreBrNetfilter(wasLoaded: boolean): void {
  if (wasLoaded || read('/sys/module/br_netfilter/refcnt') !== '0') return;
  spawnSync('modprobe', ['-r', 'br_netfilter']);
}
