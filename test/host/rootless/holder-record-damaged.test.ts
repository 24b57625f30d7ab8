// holder.json cut by a crash mid-write (the fault: a truncated record, written here) while
// the holder it named still runs. The next command must not make a second holder beside the
// first: it reuses the running one the launcher's record names (and writes holder.json whole
// again), or, with no such record, ends what runs of the unrecorded holder first.
// Plain processes stand in for unshare, the holder and the connector (ensureHolder only checks
// that they run with the recorded start times); PATH is emptied so that no real unshare can
// start: a second holder shows as an attempt to run one.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ensureHolder, type HolderRecord } from '../../../executor/host/linux/rootless/namespace-holder.js';
import { writeEnterRecord } from '../../../executor/host/linux/rootless/enter-record.js';
import { HOLDER_MARKER } from '../../../executor/host/linux/rootless/holder-recovery.js';
import { holderRecordFile, rootlessDir } from '../../../executor/host/linux/rootless/rootless-paths.js';
import { standInHolderRecord } from '../../support/holder-stand-ins.js';

const saved = { run: process.env.STACK_RUN, path: process.env.PATH };
let run = '';
let standIns: ChildProcess[] = [];

const sleepBin = ['/usr/bin/sleep', '/bin/sleep'].find((p) => fs.existsSync(p))!;
const startStandIn = (env: NodeJS.ProcessEnv = process.env) => spawn(sleepBin, ['1000'], { stdio: 'ignore', env });
const exited = (c: ChildProcess) =>
  c.exitCode !== null || c.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => c.once('exit', () => resolve()));

beforeEach(() => {
  run = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-holder-damaged-'));
  process.env.STACK_RUN = run;
  fs.mkdirSync(rootlessDir(), { mode: 0o700 });
  standIns = [];
});

afterEach(() => {
  for (const c of standIns) c.kill('SIGKILL');
  process.env.STACK_RUN = saved.run;
  process.env.PATH = saved.path;
  if (saved.run === undefined) delete process.env.STACK_RUN;
  fs.rmSync(run, { recursive: true, force: true });
});

const range = { owner: 'stk', start: 100000, count: 65536 };
const ranges = { uid: range, gid: range };

/** What a write cut after `bytes` bytes leaves. */
function truncatedRecord(r: HolderRecord, bytes = 40): void {
  fs.writeFileSync(holderRecordFile(), JSON.stringify(r).slice(0, bytes), { mode: 0o600 });
}

it('reuses the running holder the launcher record names when holder.json was cut mid-write', async () => {
  standIns = [0, 1, 2].map(() => startStandIn());
  const record = standInHolderRecord(standIns);
  writeEnterRecord(record);
  truncatedRecord(record);
  process.env.PATH = '/nonexistent';
  const { holder: found, made } = await ensureHolder({ uid: 0 }, ranges);
  expect(made).toBe(false);
  expect(found.pid).toBe(record.pid);
  expect(JSON.parse(fs.readFileSync(holderRecordFile(), 'utf8'))).toEqual(record);
});

it('ends the unrecorded holder before it makes another when no record names it', async () => {
  const unrecorded = startStandIn({ ...process.env, [HOLDER_MARKER]: rootlessDir() });
  const bystander = startStandIn({ ...process.env, [HOLDER_MARKER]: path.join(run, 'other') });
  standIns = [unrecorded, bystander];
  await new Promise<void>((resolve) => unrecorded.once('spawn', () => resolve()));
  truncatedRecord({ unsharePid: unrecorded.pid! } as HolderRecord, 10);
  process.env.PATH = '/nonexistent';
  // No unshare to run here: making the new holder fails, after the old one was ended.
  await expect(ensureHolder({ uid: 0 }, ranges)).rejects.toThrow();
  await exited(unrecorded);
  expect(unrecorded.signalCode).toBe('SIGKILL');
  expect(bystander.exitCode ?? bystander.signalCode).toBeNull();
});
