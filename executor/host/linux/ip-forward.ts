// net.ipv4.ip_forward is host-wide: stack turns it on for the first stack that needs it and
// puts back the value it found once the last such stack is down. The bookkeeping is one
// folder shared by every STACK_ROOT on the host (the setting is shared too): a file per
// user (stack) and `original`, the value found before the first user turned it on.
//
// Order makes concurrent stacks safe: a user registers before it reads or writes the
// setting, and `original` is created exclusively, so only the first user's reading counts;
// the last user out restores only when no user file is left.

import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { makePrivateDir } from '../../../store/private-files.js';
import { stackRun } from '../../../store/paths.js';
import { inUserNamespace } from './rootless/user-namespace.js';

export interface IpForwardPlaces {
  /** The sysctl file (tests point this at a plain file). */
  sysctl: string;
  /** The bookkeeping folder. */
  dir: string;
}

export function ipForwardPlaces(): IpForwardPlaces {
  return {
    sysctl: '/proc/sys/net/ipv4/ip_forward',
    dir: process.env.STACK_IP_FORWARD_DIR ?? bookkeepingDir('ip-forward'),
  };
}

/** Rootless: the setting is the user's network namespace's, and so is the bookkeeping. */
const bookkeepingDir = (name: string): string =>
  inUserNamespace() ? path.join(stackRun(), name) : path.join('/run', `stack-${name}`);

/**
 * IPv6 forwarding, for stacks with an IPv6 network, kept the same way in a folder of its
 * own. Only `net.ipv6.conf.all.forwarding` forwards on every kernel (a per-interface
 * `force_forwarding` exists only from Linux 6.17, and NATed answers arrive on the uplink,
 * not on the bridge), so stack sets it as docker does, and puts back the value it found
 * when the last such stack is down. While it is on, the kernel acts as a router and
 * ignores router advertisements on interfaces with accept_ra=1 (docs/networks.md).
 */
export function ip6ForwardPlaces(): IpForwardPlaces {
  return {
    sysctl: '/proc/sys/net/ipv6/conf/all/forwarding',
    dir: process.env.STACK_IP6_FORWARD_DIR ?? bookkeepingDir('ip6-forward'),
  };
}

const ORIGINAL = 'original';
const userFile = (places: IpForwardPlaces, user: string) =>
  path.join(places.dir, `user-${user.replace(/[^A-Za-z0-9_.-]/g, '_')}`);

/**
 * Users this process registered whose file still stands (`folder/user` keys). Every NAT
 * apply acquires: once registered, a check that the file is there and forwarding is on
 * (two synchronous reads, ~20 µs) replaces four threadpool file operations (~1.2 ms).
 */
const registered = new Set<string>();

/** Registers `user` and turns forwarding on, remembering the value found if it is the first. */
export async function acquireIpForward(user: string, places = ipForwardPlaces()): Promise<void> {
  const key = userFile(places, user);
  if (registered.has(key) && existsSync(key) && readFileSync(places.sysctl, 'utf8').trim() === '1') return;
  await makePrivateDir(places.dir);
  await fs.writeFile(userFile(places, user), '');
  const current = (await fs.readFile(places.sysctl, 'utf8')).trim();
  try {
    await fs.writeFile(path.join(places.dir, ORIGINAL), current, { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  if (current !== '1') await fs.writeFile(places.sysctl, '1');
  registered.add(key);
}

/**
 * releaseIpForward when `user` holds forwarding, else nothing: one synchronous look
 * (~5 µs) instead of the folder work, for the applies of stacks that never held it (IPv6
 * forwarding, which most stacks never take).
 */
export async function releaseIfHeld(user: string, places: IpForwardPlaces): Promise<void> {
  if (existsSync(userFile(places, user))) await releaseIpForward(user, places);
}

/** Unregisters `user`; the last one out puts back the value found before the first. */
export async function releaseIpForward(user: string, places = ipForwardPlaces()): Promise<void> {
  registered.delete(userFile(places, user));
  await fs.rm(userFile(places, user), { force: true });
  let entries: string[];
  try {
    entries = await fs.readdir(places.dir);
  } catch {
    return; // never acquired on this host
  }
  if (entries.some((e) => e.startsWith('user-'))) return;
  const original = await fs.readFile(path.join(places.dir, ORIGINAL), 'utf8').catch(() => undefined);
  if (original !== undefined && original.trim() !== '1') await fs.writeFile(places.sysctl, original.trim());
  await fs.rm(path.join(places.dir, ORIGINAL), { force: true });
}
