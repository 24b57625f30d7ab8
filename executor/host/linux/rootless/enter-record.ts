// The holder's record in the form the `stack` launcher (bin/stack, /bin/sh) reads without
// starting Node: one line of words. A user's command whose holder runs then enters the
// namespaces straight from the launcher (bin/rootless-enter.sh: exec nsenter … node), so one
// Node starts instead of two (the outer one here only ever waited for the inner one).
//
// The launcher enters only what it can prove is this record's holder: each pid with the
// start time it had when written (a recycled pid has another), none a zombie, the connector
// slirp4netns (pasta's forwards are changed by the outer command, forward-watch.ts), and a
// line that ends with `end` (written whole: a temporary file renamed over the old one).
// Anything else, and the launcher takes the full path (cli/rootless-entry.ts), which makes
// or mends the holder and writes this record again.

import fs from 'node:fs';
import path from 'node:path';
import { PRIVATE_FILE_MODE } from '../../../../store/private-files.js';
import type { HolderRecord } from './namespace-holder.js';
import { rootlessDir } from './rootless-paths.js';

/** Changed whenever the words change: the launcher takes the full path for any other. */
export const ENTER_RECORD_VERSION = 'stk-enter-1';

export const enterRecordFile = () => path.join(rootlessDir(), 'holder.enter');

/** version connector unsharePid unshareStart holderPid holderStart netPid netStart cgroupKept end */
export function enterRecordLine(r: HolderRecord): string {
  const words = [
    ENTER_RECORD_VERSION,
    r.connector,
    r.unsharePid,
    r.unshareStartTime,
    r.pid,
    r.startTime,
    r.netPid,
    r.netStartTime,
    // 1: the holder kept the host's cgroup namespace (a delegated subtree), so nsenter omits --cgroup.
    r.cgroup === undefined ? 0 : 1,
    'end',
  ];
  return `${words.join(' ')}\n`;
}

export function writeEnterRecord(r: HolderRecord): void {
  const file = enterRecordFile();
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, enterRecordLine(r), { mode: PRIVATE_FILE_MODE });
  fs.renameSync(tmp, file);
}

/**
 * Writes the record again unless it says what `r` says: a holder made by a stack from before
 * this record (an upgrade), a record of another version, or one lost to a crash between the
 * two writes would otherwise keep the short path shut for as long as the holder runs.
 */
export function keepEnterRecord(r: HolderRecord): void {
  let written: string | undefined;
  try {
    written = fs.readFileSync(enterRecordFile(), 'utf8');
  } catch {
    // absent or unreadable: written below
  }
  if (written !== enterRecordLine(r)) writeEnterRecord(r);
}

export function removeEnterRecord(): void {
  fs.rmSync(enterRecordFile(), { force: true });
}
