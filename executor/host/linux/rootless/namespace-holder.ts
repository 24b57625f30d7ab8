// Rootless mode's namespaces: one user namespace per user (their subordinate ids mapped in,
// the user as root), with a mount namespace and a network namespace it owns, held open by
// a process that does nothing but reap (catatonit -P, after mounting the namespace's own /sys), as podman's pause process does. Every
// command the user runs re-executes inside them (enter-namespace.ts), so the runtime below
// works as for root: overlay mounts, bridges, nftables, pivot_root — all owned by the
// user's namespace, none of it the host's. slirp4netns connects that network namespace to
// the host (egress, and the published ports: slirp-ports.ts). The holder and slirp4netns
// outlive the command; the last `down` of the user's stacks stops both (stopHolder).
//
// Who may do what is the kernel's: newuidmap/newgidmap map only the ranges /etc/subuid and
// /etc/subgid give this user, and nothing in these namespaces has a capability on the host.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { IdRange } from '../../../../model/subid-ranges.js';
import { acquireFileLock } from '../../../../store/file-lock.js';
import { stackRun } from '../../../../store/paths.js';
import { makePrivateDirSync } from '../../../../store/private-files.js';
import { isSameProcess, readStartTime } from '../../../../store/proc-stat.js';
import { rootlessDir, slirpApiSocket } from './rootless-paths.js';
import { restorePortForwards } from './slirp-ports.js';

/** Root to nobody: the ids an image's files may carry. */
const MAPPED_IDS = 65536;
const READY_TIMEOUT_MS = 10_000;
/** What the holder runs once its /sys is mounted. */
const HOLDER_PROGRAMS = ['catatonit', 'tini', 'sleep'];

export interface HolderRecord {
  /** unshare, in the host's pid namespace: killing it ends the holder. */
  unsharePid: number;
  unshareStartTime: number;
  /** The holder (pid 1 of the user's pid namespace), as the host numbers it: nsenter's target. */
  pid: number;
  startTime: number;
  slirpPid: number;
  slirpStartTime: number;
  /**
   * The user's delegated cgroup v2 subtree (below /sys/fs/cgroup) that the namespaces see as
   * their /sys/fs/cgroup; the holder then keeps the host's cgroup namespace. Absent: none,
   * and the holder has a cgroup namespace of its own.
   */
  cgroup?: string;
}

export class RootlessSetupError extends Error {
  constructor(message: string) {
    super(`rootless: ${message}`);
    this.name = 'RootlessSetupError';
  }
}

const recordFile = () => path.join(rootlessDir(), 'holder.json');

function readRecord(): HolderRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(recordFile(), 'utf8')) as HolderRecord;
  } catch {
    return undefined;
  }
}

const holderAlive = (r: HolderRecord) =>
  isSameProcess(r.unsharePid, r.unshareStartTime) && isSameProcess(r.pid, r.startTime);
const alive = (r: HolderRecord) =>
  isSameProcess(r.unsharePid, r.unshareStartTime) &&
  isSameProcess(r.pid, r.startTime) &&
  isSameProcess(r.slirpPid, r.slirpStartTime);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The holder, unshare's child, once the maps are written (its uid 0 is the user: newuidmap
 * ran) and it runs its program (the shell before it mounted the namespace's /sys).
 */
async function waitForHolder(unsharePid: number, uid: number): Promise<number> {
  for (const deadline = Date.now() + READY_TIMEOUT_MS; ; await sleep(5)) {
    let map = '';
    let pid = 0;
    try {
      pid = Number(fs.readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim().split(/\s+/)[0]);
      if (pid) map = fs.readFileSync(`/proc/${pid}/uid_map`, 'utf8');
    } catch {
      if (!fs.existsSync(`/proc/${unsharePid}`))
        throw new RootlessSetupError(
          `unshare (pid ${unsharePid}) exited before its namespaces were ready; see ${logFile('unshare')}`,
        );
    }
    if (Date.now() > deadline)
      throw new RootlessSetupError(
        `the user's namespaces were not ready within ${READY_TIMEOUT_MS / 1000}s; see ${logFile('unshare')}`,
      );
    if (!pid) continue;
    const mapped = map.split('\n').some((l) => l.trim().split(/\s+/).join(' ') === `0 ${uid} 1`);
    // Ready once it runs `sleep`: the shell before it mounted the namespace's /sys.
    if (mapped && HOLDER_PROGRAMS.includes(fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim())) return pid;
  }
}

const logFile = (name: string) => path.join(rootlessDir(), `${name}.log`);
const openLog = (name: string) => fs.openSync(logFile(name), 'w', 0o600);

/**
 * The holder's first steps. The host's /sys shows the host's network devices: the
 * namespace's own sysfs shows its bridges. With a delegated subtree, that subtree (opened
 * before the host's cgroup mount is covered) becomes the namespace's /sys/fs/cgroup, so the
 * runtime makes its groups there as on a cgroup v2 host (cgroups.ts).
 */
const MOUNT_SYS = 'mount -t sysfs -o nosuid,nodev,noexec sysfs /sys';
const MOUNT_DELEGATED =
  'exec 3<"/sys/fs/cgroup$STACK_DELEGATED_CGROUP" && ' +
  `${MOUNT_SYS} && mount --no-canonicalize --bind /proc/self/fd/3 /sys/fs/cgroup && exec 3<&-`;

function startUnshare(uid: IdRange, gid: IdRange, cgroup: string | undefined): number {
  const count = (r: IdRange) => Math.min(r.count, MAPPED_IDS);
  const log = openLog('unshare');
  const child = spawn(
    'unshare',
    [
      // Every namespace the supervisor saves and returns to must be the user's own: setns
      // into one of the host's needs a capability on the host.
      '--user',
      '--mount',
      '--net',
      '--uts',
      '--ipc',
      // A cgroup namespace rooted at the holder's group would put the delegated subtree out of
      // its reach (the kernel moves a process only between groups below the writer's
      // namespace root): with a subtree, the host's cgroup namespace is kept and the subtree is the view.
      ...(cgroup === undefined ? ['--cgroup'] : []),
      '--pid',
      '--fork',
      '--mount-proc',
      // The namespaces end with the holder: killing unshare kills its child, pid 1 inside.
      '--kill-child',
      // Mounts the host makes later still show inside; nothing made inside reaches the host.
      '--propagation=slave',
      '--map-root-user',
      `--map-users=${uid.start},1,${count(uid)}`,
      `--map-groups=${gid.start},1,${count(gid)}`,
      '--',
      'sh',
      '-c',
      // PID 1 of the namespace reaps the processes reparented to it (a supervisor that
      // exited): catatonit's pause mode, as podman's pause process, else tini over sleep.
      `${cgroup === undefined ? MOUNT_SYS : MOUNT_DELEGATED} && ` +
        'if command -v catatonit >/dev/null; then exec catatonit -P; ' +
        'elif command -v tini >/dev/null; then exec tini -s -- sleep infinity; else exec sleep infinity; fi',
    ],
    {
      detached: true,
      stdio: ['ignore', log, log],
      env: cgroup === undefined ? process.env : { ...process.env, STACK_DELEGATED_CGROUP: cgroup },
    },
  );
  fs.closeSync(log);
  child.unref();
  if (!child.pid) throw new RootlessSetupError('cannot run unshare (util-linux)');
  return child.pid;
}

/** slirp4netns in the holder's namespaces; resolves once it configured tap0 (its ready fd). */
async function startSlirp(holderPid: number): Promise<number> {
  fs.rmSync(slirpApiSocket(), { force: true });
  const log = openLog('slirp4netns');
  const child = spawn(
    'slirp4netns',
    [
      '--configure',
      '--mtu=65520',
      // Containers must not reach the host's own loopback services, as in rootful mode.
      '--disable-host-loopback',
      `--api-socket=${slirpApiSocket()}`,
      '--ready-fd=3',
      String(holderPid),
      'tap0',
    ],
    { detached: true, stdio: ['ignore', log, log, 'pipe'] },
  );
  fs.closeSync(log);
  const ready = child.stdio[3]!;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new RootlessSetupError(
            `slirp4netns was not ready within ${READY_TIMEOUT_MS / 1000}s; see ${logFile('slirp4netns')}`,
          ),
        ),
      READY_TIMEOUT_MS,
    );
    ready.once('data', () => (clearTimeout(timer), resolve()));
    child.once(
      'exit',
      (code) => (
        clearTimeout(timer),
        reject(new RootlessSetupError(`slirp4netns exited (${code}); see ${logFile('slirp4netns')}`))
      ),
    );
    child.once(
      'error',
      (err) => (clearTimeout(timer), reject(new RootlessSetupError(`cannot run slirp4netns: ${err.message}`))),
    );
  });
  ready.destroy();
  child.removeAllListeners('exit');
  child.unref();
  return child.pid!;
}

/**
 * slirp4netns died (killed, crashed) while the namespaces and their containers live on: a new
 * one for the same namespaces, and the published ports it held forwarded again.
 */
async function restartSlirp(found: HolderRecord): Promise<HolderRecord> {
  kill(found.slirpPid, found.slirpStartTime); // a zombie or a stuck one
  const slirpPid = await startSlirp(found.pid);
  const record: HolderRecord = { ...found, slirpPid, slirpStartTime: readStartTime(slirpPid) ?? 0 };
  fs.writeFileSync(recordFile(), JSON.stringify(record), { mode: 0o600 });
  await restorePortForwards();
  return record;
}

function kill(pid: number, startTime: number): void {
  if (!isSameProcess(pid, startTime)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/**
 * The user's holder: the running one, or a new one (under a lock: two first commands make one).
 * `cgroup`: the user's delegated subtree (model/cgroup-delegation.ts), taken by a new holder;
 * a running one keeps what it was made with.
 */
export async function ensureHolder(
  user: { uid: number },
  ranges: { uid: IdRange; gid: IdRange },
  cgroup?: string,
): Promise<HolderRecord> {
  makePrivateDirSync(stackRun());
  makePrivateDirSync(rootlessDir());
  const lock = await acquireFileLock(path.join(rootlessDir(), 'holder.lock'), { command: 'rootless namespaces' });
  try {
    const found = readRecord();
    if (found && alive(found)) return found;
    if (found && holderAlive(found)) return await restartSlirp(found);
    if (found) stopProcesses(found); // the holder is gone, and its namespaces with it: make them anew
    const unsharePid = startUnshare(ranges.uid, ranges.gid, cgroup);
    const unshareStartTime = readStartTime(unsharePid) ?? 0;
    try {
      const pid = await waitForHolder(unsharePid, user.uid);
      const slirpPid = await startSlirp(pid);
      const record: HolderRecord = {
        unsharePid,
        unshareStartTime,
        pid,
        startTime: readStartTime(pid) ?? 0,
        slirpPid,
        slirpStartTime: readStartTime(slirpPid) ?? 0,
        ...(cgroup === undefined ? {} : { cgroup }),
      };
      fs.writeFileSync(recordFile(), JSON.stringify(record), { mode: 0o600 });
      return record;
    } catch (err) {
      kill(unsharePid, unshareStartTime);
      throw err;
    }
  } finally {
    lock.release();
  }
}

/** A process killed but not yet reaped (a zombie) still counts: tests look for it. */
const exists = (pid: number, startTime: number) => readStartTime(pid) === startTime;
const anyLeft = (r: HolderRecord) =>
  exists(r.unsharePid, r.unshareStartTime) || exists(r.pid, r.startTime) || exists(r.slirpPid, r.slirpStartTime);

function stopProcesses(r: HolderRecord): void {
  kill(r.slirpPid, r.slirpStartTime);
  kill(r.pid, r.startTime);
  kill(r.unsharePid, r.unshareStartTime);
}

/** Ends the holder and slirp4netns (after the user's last `down`): the namespaces go with their last process. */
export async function stopHolder(): Promise<void> {
  if (!fs.existsSync(rootlessDir())) return;
  const lock = await acquireFileLock(path.join(rootlessDir(), 'holder.lock'), { command: 'rootless namespaces' });
  try {
    const found = readRecord();
    if (found) {
      stopProcesses(found);
      // Gone, not only signalled: the command that stops them is the last one (tests count processes after it).
      for (const deadline = Date.now() + READY_TIMEOUT_MS; Date.now() < deadline && anyLeft(found);) await sleep(5);
    }
    fs.rmSync(recordFile(), { force: true });
    fs.rmSync(slirpApiSocket(), { force: true });
  } finally {
    lock.release();
  }
}

/** Processes in the holder's user namespace other than the holder itself and unshare (zombies do not count). */
function othersInNamespace(r: HolderRecord): number[] {
  let userns: string;
  try {
    userns = fs.readlinkSync(`/proc/${r.pid}/ns/user`);
  } catch {
    return [];
  }
  const others: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === r.pid || pid === r.unsharePid) continue;
    try {
      if (fs.readlinkSync(`/proc/${pid}/ns/user`) !== userns) continue;
      if (fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z')) continue;
      others.push(pid);
    } catch {
      /* gone meanwhile, or not ours to look at (then not in our namespace) */
    }
  }
  return others;
}

/**
 * After the user's last `down`: stops the holder once nothing else runs in its namespaces
 * (a one-off `run -d` still does: then it stays). A supervisor on its way out gets
 * `graceMs` to finish.
 */
export async function stopHolderWhenIdle(graceMs = 5_000): Promise<boolean> {
  const found = readRecord();
  if (!found || !alive(found)) return false;
  for (const deadline = Date.now() + graceMs; othersInNamespace(found).length > 0; await sleep(20))
    if (Date.now() > deadline) return false;
  await stopHolder();
  return true;
}
