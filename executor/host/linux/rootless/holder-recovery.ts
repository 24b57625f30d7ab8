// A holder.json that does not parse (cut by a crash before it was written atomically, or
// damaged since) while the holder it named still runs: making a second holder then would
// leave the first, its containers and its connector running with no record of them. So the
// holder is found again: first through the launcher's record (holder.enter, the same pids
// and start times, written whole), and reused; else through the marker every holder and
// connector process carries in its environment, and ended before a new one is made.

import fs from 'node:fs';
import { isSameProcess } from '../../../../store/proc-stat.js';
import { ENTER_RECORD_VERSION, enterRecordFile } from './enter-record.js';
import type { HolderRecord } from './namespace-holder.js';
import { rootlessDir } from './rootless-paths.js';

/** In the environment of unshare, the holder and the connector: `<name>=<rootless dir>`. */
export const HOLDER_MARKER = 'STACK_ROOTLESS_HOLDER';

export const holderMarkerEnv = (): NodeJS.ProcessEnv => ({ ...process.env, [HOLDER_MARKER]: rootlessDir() });

/** The running holder the launcher's record names, or undefined (absent, another version, not running). */
export function holderFromEnterRecord(): HolderRecord | undefined {
  let words: string[];
  try {
    words = fs.readFileSync(enterRecordFile(), 'utf8').trim().split(' ');
  } catch {
    return undefined;
  }
  if (words.length !== 10 || words[0] !== ENTER_RECORD_VERSION || words[9] !== 'end') return undefined;
  const [unsharePid, unshareStartTime, pid, startTime, netPid, netStartTime, cgroupKept] = words
    .slice(2, 9)
    .map(Number);
  const connector = words[1];
  if (connector !== 'pasta' && connector !== 'slirp4netns') return undefined;
  if (!isSameProcess(unsharePid, unshareStartTime) || !isSameProcess(pid, startTime)) return undefined;
  const cgroup = cgroupKept === 1 ? (environOf(unsharePid!).STACK_DELEGATED_CGROUP ?? '') : undefined;
  return {
    unsharePid: unsharePid!,
    unshareStartTime: unshareStartTime!,
    pid: pid!,
    startTime: startTime!,
    connector,
    netPid: netPid!,
    netStartTime: netStartTime!,
    // pasta's are not in this record: the next sync of the forwards starts it with the wanted ones.
    forwards: [],
    ...(cgroup === undefined ? {} : { cgroup }),
  };
}

/** Ends every process that carries this rootless dir's holder marker (unshare, the holder, connectors). */
export function endMarkedHolderProcesses(): number[] {
  const ended: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    if (environOf(pid)[HOLDER_MARKER] !== rootlessDir()) continue;
    try {
      process.kill(pid, 'SIGKILL');
      ended.push(pid);
    } catch {
      /* gone meanwhile */
    }
  }
  return ended;
}

function environOf(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  try {
    for (const pair of fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const eq = pair.indexOf('=');
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  } catch {
    /* gone, or not ours to read: then not our holder */
  }
  return env;
}
