// The launcher's record of a running holder (holder.enter, rootless/enter-record.ts) is
// rewritten by the full path whenever it does not say what holder.json says: a holder made
// by a stack from before the record (an upgrade), a record of another version, or one lost
// to a crash between the two writes. Else the short path (bin/rootless-enter.sh) stays shut
// until the holder stops, though every command's full path finds the holder alive.
// Plain processes stand in for unshare, the holder and slirp4netns: ensureHolder only checks
// that they run with the recorded start times.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ensureHolder, type HolderRecord } from '../../../executor/host/linux/rootless/namespace-holder.js';
import { enterRecordFile, enterRecordLine } from '../../../executor/host/linux/rootless/enter-record.js';
import { holderRecordFile } from '../../../executor/host/linux/rootless/rootless-paths.js';
import { standInHolderRecord } from '../../support/holder-stand-ins.js';

const saved = process.env.STACK_RUN;
let run = '';
let standIns: ChildProcess[] = [];

beforeEach(() => {
  run = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-enter-record-'));
  process.env.STACK_RUN = run;
  fs.mkdirSync(path.join(run, 'rootless'), { mode: 0o700 });
  standIns = [0, 1, 2].map(() => spawn('sleep', ['1000'], { stdio: 'ignore' }));
});

afterEach(() => {
  for (const c of standIns) c.kill('SIGKILL');
  if (saved === undefined) delete process.env.STACK_RUN;
  else process.env.STACK_RUN = saved;
  fs.rmSync(run, { recursive: true, force: true });
});

/** holder.json of a running holder over slirp4netns, as ensureHolder wrote it. */
function runningHolder(): HolderRecord {
  const record = standInHolderRecord(standIns);
  fs.writeFileSync(holderRecordFile(), JSON.stringify(record), { mode: 0o600 });
  return record;
}

const range = { owner: 'stk', start: 100000, count: 65536 };
const ranges = { uid: range, gid: range };

it('writes the launcher record of a running holder that has none (made before the record existed)', async () => {
  const record = runningHolder();
  const { made } = await ensureHolder({ uid: 0 }, ranges);
  expect(made).toBe(false);
  expect(fs.readFileSync(enterRecordFile(), 'utf8')).toBe(enterRecordLine(record));
});

it("rewrites a launcher record that is another version's or names other processes", async () => {
  const record = runningHolder();
  for (const stale of ['stk-enter-0 slirp4netns 1 2 3 4 5 6 0 end\n', enterRecordLine({ ...record, pid: 1 })]) {
    fs.writeFileSync(enterRecordFile(), stale, { mode: 0o600 });
    await ensureHolder({ uid: 0 }, ranges);
    expect(fs.readFileSync(enterRecordFile(), 'utf8')).toBe(enterRecordLine(record));
  }
});
