// Plain processes standing in for rootless mode's unshare, holder and slirp4netns: the
// holder's code only checks that the recorded pids run with the recorded start times.

import type { ChildProcess } from 'node:child_process';
import type { HolderRecord } from '../../executor/host/linux/rootless/namespace-holder.js';
import { readStartTime } from '../../store/proc-stat.js';

/** The record of a holder over slirp4netns whose unshare, holder and connector are `standIns`. */
export function standInHolderRecord(standIns: ChildProcess[]): HolderRecord {
  const [unshare, holder, net] = standIns.map((c) => ({ pid: c.pid!, start: readStartTime(c.pid!)! }));
  return {
    unsharePid: unshare!.pid,
    unshareStartTime: unshare!.start,
    pid: holder!.pid,
    startTime: holder!.start,
    connector: 'slirp4netns',
    netPid: net!.pid,
    netStartTime: net!.start,
    forwards: [],
  };
}
