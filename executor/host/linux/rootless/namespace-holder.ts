// Rootless mode's namespaces: one user namespace per user (their subordinate ids mapped in,
// the user as root), with a mount namespace and a network namespace it owns, held open by
// a process that does nothing but reap (catatonit -P, after mounting the namespace's own /sys), as podman's pause process does. Every
// command the user runs re-executes inside them (enter-namespace.ts), so the runtime below
// works as for root: overlay mounts, bridges, nftables, pivot_root — all owned by the
// user's namespace, none of it the host's. pasta or slirp4netns (connectors.ts) connects
// that network namespace to the host (egress, DNS, and the published ports: port-forwards.ts).
// The holder and its connector outlive the command; the last `down` of the user's stacks
// stops both (stopHolder).
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
import type { ConnectorName } from '../../../../model/rootless-connector.js';
import { connectorToUse, logFile, startConnector, type ForwardKey } from './connectors.js';
import { holderRecordFile, portsDir, rootlessDir, slirpApiSocket } from './rootless-paths.js';
import { forgetForwards, restorePortForwards, shownForward, wantedForwardKeys } from './port-forwards.js';
import { RootlessSetupError } from './setup-error.js';
import { keepEnterRecord, removeEnterRecord, writeEnterRecord } from './enter-record.js';
import { endMarkedHolderProcesses, holderFromEnterRecord, holderMarkerEnv } from './holder-recovery.js';
import { writeJsonAtomic } from '../../../../store/json-file.js';

export { RootlessSetupError };

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
  /** What connects the namespaces to the host, and its pid. */
  connector: ConnectorName;
  netPid: number;
  netStartTime: number;
  /** pasta: the forwards it was started with (slirp4netns's change while it runs). */
  forwards: ForwardKey[];
  /**
   * The user's delegated cgroup v2 subtree (below /sys/fs/cgroup) that the namespaces see as
   * their /sys/fs/cgroup; the holder then keeps the host's cgroup namespace. Absent: none,
   * and the holder has a cgroup namespace of its own.
   */
  cgroup?: string;
}

const recordFile = holderRecordFile;

/** The record; undefined when absent, 'damaged' when it does not parse (see holder-recovery.ts). */
function readRecordFile(): HolderRecord | 'damaged' | undefined {
  let text: string;
  try {
    text = fs.readFileSync(recordFile(), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const r = JSON.parse(text) as HolderRecord & {
      slirpPid?: number;
      slirpStartTime?: number;
    };
    // A holder from before pasta: its connector is slirp4netns.
    return {
      ...r,
      connector: r.connector ?? 'slirp4netns',
      netPid: r.netPid ?? r.slirpPid ?? 0,
      netStartTime: r.netStartTime ?? r.slirpStartTime ?? 0,
      forwards: r.forwards ?? [],
    };
  } catch {
    return 'damaged';
  }
}

/** Outside the holder lock: a damaged record counts as none (only the lock's holder may mend it). */
function readRecord(): HolderRecord | undefined {
  const r = readRecordFile();
  return r === 'damaged' ? undefined : r;
}

/**
 * Under the holder lock: a damaged record is mended from the launcher's record when that names
 * a running holder; else what still runs of an unrecorded holder is ended, so that the caller
 * never makes a second one beside it.
 */
async function readRecordMending(): Promise<HolderRecord | undefined> {
  const r = readRecordFile();
  if (r !== 'damaged') return r;
  const recovered = holderFromEnterRecord();
  if (recovered) await writeRecord(recovered);
  else endMarkedHolderProcesses();
  return recovered;
}

/** Atomically (a crash mid-write leaves the old record or the new one), then the launcher's copy. */
async function writeRecord(r: HolderRecord): Promise<void> {
  await writeJsonAtomic(recordFile(), r);
  writeEnterRecord(r);
}

const holderAlive = (r: HolderRecord) =>
  isSameProcess(r.unsharePid, r.unshareStartTime) && isSameProcess(r.pid, r.startTime);
const alive = (r: HolderRecord) => holderAlive(r) && isSameProcess(r.netPid, r.netStartTime);

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
  const log = fs.openSync(logFile('unshare'), 'w', 0o600);
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
      // The marker: a holder whose record was lost is still found (holder-recovery.ts).
      env: cgroup === undefined ? holderMarkerEnv() : { ...holderMarkerEnv(), STACK_DELEGATED_CGROUP: cgroup },
    },
  );
  fs.closeSync(log);
  child.unref();
  if (!child.pid) throw new RootlessSetupError('cannot run unshare (util-linux)');
  return child.pid;
}

/**
 * The connector died (killed, crashed) while the namespaces and their containers live on: a
 * new one for the same namespaces, and the published ports it held forwarded again.
 */
async function restartConnector(found: HolderRecord, forwards = wantedForwardKeys()): Promise<HolderRecord> {
  await killAndWait(found.netPid, found.netStartTime); // a zombie, a stuck one, or pasta with the old forwards
  const netPid = await startConnector(found.connector, found.pid, forwards);
  const record: HolderRecord = { ...found, netPid, netStartTime: readStartTime(netPid) ?? 0, forwards };
  await writeRecord(record);
  if (found.connector === 'slirp4netns') await restorePortForwards();
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

/** Killed and gone (or a zombie, whose sockets are closed): the host ports it bound are free again. */
async function killAndWait(pid: number, startTime: number): Promise<void> {
  kill(pid, startTime);
  for (const deadline = Date.now() + READY_TIMEOUT_MS; Date.now() < deadline && isSameProcess(pid, startTime);)
    await sleep(5);
}

/**
 * The user's holder: the running one, or a new one (`made`; under a lock: two first commands make one).
 * `cgroup`: the user's delegated subtree (model/cgroup-delegation.ts), taken by a new holder;
 * a running one keeps what it was made with.
 */
export async function ensureHolder(
  user: { uid: number },
  ranges: { uid: IdRange; gid: IdRange },
  cgroup?: string,
): Promise<{ holder: HolderRecord; made: boolean }> {
  makePrivateDirSync(stackRun());
  makePrivateDirSync(rootlessDir());
  const lock = await acquireFileLock(path.join(rootlessDir(), 'holder.lock'), { command: 'rootless namespaces' });
  try {
    const found = await readRecordMending();
    if (found && alive(found)) {
      keepEnterRecord(found);
      return { holder: found, made: false };
    }
    if (found && holderAlive(found)) return { holder: await restartConnector(found), made: false };
    if (found) stopProcesses(found); // the holder is gone, and its namespaces with it: make them anew
    // Forwards of containers that went with the old namespaces.
    fs.rmSync(portsDir(), { recursive: true, force: true });
    const connector = connectorToUse();
    const unsharePid = startUnshare(ranges.uid, ranges.gid, cgroup);
    const unshareStartTime = readStartTime(unsharePid) ?? 0;
    try {
      const pid = await waitForHolder(unsharePid, user.uid);
      const netPid = await startConnector(connector, pid, []);
      const record: HolderRecord = {
        unsharePid,
        unshareStartTime,
        pid,
        startTime: readStartTime(pid) ?? 0,
        connector,
        netPid,
        netStartTime: readStartTime(netPid) ?? 0,
        forwards: [],
        ...(cgroup === undefined ? {} : { cgroup }),
      };
      await writeRecord(record);
      return { holder: record, made: true };
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
  exists(r.unsharePid, r.unshareStartTime) || exists(r.pid, r.startTime) || exists(r.netPid, r.netStartTime);

function stopProcesses(r: HolderRecord): void {
  kill(r.netPid, r.netStartTime);
  kill(r.pid, r.startTime);
  kill(r.unsharePid, r.unshareStartTime);
}

/** Ends the holder and its connector (after the user's last `down`): the namespaces go with their last process. */
export async function stopHolder(): Promise<void> {
  if (!fs.existsSync(rootlessDir())) return;
  const lock = await acquireFileLock(path.join(rootlessDir(), 'holder.lock'), { command: 'rootless namespaces' });
  try {
    const found = await readRecordMending();
    if (found) {
      stopProcesses(found);
      // Gone, not only signalled: the command that stops them is the last one (tests count processes after it).
      for (const deadline = Date.now() + READY_TIMEOUT_MS; Date.now() < deadline && anyLeft(found);) await sleep(5);
    }
    // The launcher's copy first: it must never name a holder whose JSON record is gone.
    removeEnterRecord();
    fs.rmSync(recordFile(), { force: true });
    fs.rmSync(slirpApiSocket(), { force: true });
    fs.rmSync(portsDir(), { recursive: true, force: true });
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
  // The holder, whatever became of its connector: a pasta that ended (or was being started
  // again by the command's forward watcher) must not keep the namespaces after the last down.
  if (!found || !holderAlive(found)) return false;
  for (const deadline = Date.now() + graceMs; othersInNamespace(found).length > 0; await sleep(20))
    if (Date.now() > deadline) return false;
  await stopHolder();
  return true;
}

/**
 * After a command, in the host's namespaces: pasta forwards what the tables' records now
 * publish (it has no control socket, so a changed set starts it again; established
 * connections through it are cut). When the new set cannot be bound, pasta is started again
 * with the old one, so the other stacks keep their ports and egress, and the error says why.
 */
export async function syncConnectorForwards(): Promise<void> {
  if (!fs.existsSync(recordFile())) return;
  const lock = await acquireFileLock(path.join(rootlessDir(), 'holder.lock'), { command: 'rootless namespaces' });
  try {
    const found = await readRecordMending();
    if (!found || found.connector !== 'pasta' || !holderAlive(found)) return;
    const wanted = wantedForwardKeys();
    if (alive(found) && wanted.join() === found.forwards.join()) return;
    try {
      await restartConnector(found, wanted);
    } catch (err) {
      // The others keep their ports and egress; the new ones are forgotten, or every later command would fail on them.
      const added = wanted.filter((k) => !found.forwards.includes(k));
      forgetForwards(added);
      await restartConnector(readRecord() ?? found, found.forwards);
      throw new RootlessSetupError(
        `cannot publish ${added.map(shownForward).join(', ')} on the host (its containers run without): ${(err as Error).message.replace(/^rootless: /, '')}`,
      );
    }
  } finally {
    lock.release();
  }
}
