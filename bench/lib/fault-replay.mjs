// One fault round: a fresh project of the fault stack (fault-stack.mjs) under a client loop
// on its published port, one fault, then the round's checks. The faults:
//   kill   kill -9 of the supervisor `delay` ms into `up -d`, `restart`, `exec` or nothing;
//   record one record file under STACK_ROOT/stacks/<project>/ truncated, emptied, replaced
//          with garbage or deleted;
//   full   STACK_ROOT (a small tmpfs: faultEnv({ tmpfs })) filled to the last byte while
//          the stack runs, a restart asked for, then the space given back.
// A round returns { fault, detail, problems, duplicates, leaks, client } and throws nothing.

import fs from 'node:fs';
import path from 'node:path';
import { checkRound, clientLoop, downClean, runStack, salvage, sleep, startStack, writeStack } from './fault-stack.mjs';
import { isAlive, supervisorPid } from './stack-processes.mjs';

export const KILL_OPS = ['up', 'restart', 'exec', 'idle'];
/** Kill points up to about the op's length here (the apply of an up ends 100-200 ms after its supervisor appears). */
const KILL_MAX_DELAY = { up: 300, restart: 1000, exec: 400, idle: 500 };

/** A kill fault: one of `ops`, at a delay within its length, from `random()` in [0, 1). */
export function randomKill(random, ops = KILL_OPS) {
  const op = ops[Math.floor(random() * ops.length)];
  return { kind: 'kill', op, delay: Math.floor(random() * KILL_MAX_DELAY[op]) };
}
export const DAMAGES = ['truncated', 'emptied', 'garbage', 'deleted'];

/**
 * The record files of a running stack, relative to STACK_ROOT/stacks/<project>/, with the
 * project's name as PROJECT (a record fault names a file of any project so).
 */
export function recordFiles(env, project) {
  const dir = path.join(env.STACK_ROOT, 'stacks', project);
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.jsonl?$/.test(f))
    .sort()
    .map((f) => f.replaceAll(project, 'PROJECT'));
}

const damage = {
  truncated: (file) => fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2)),
  emptied: (file) => fs.truncateSync(file, 0),
  garbage: (file) => fs.writeFileSync(file, '\u0000\u00ffnot json {'),
  deleted: (file) => fs.rmSync(file),
};

async function waitFor(fn, ms) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(5)) {
    const v = fn();
    if (v) return v;
  }
  return undefined;
}

/** Fills the file system of `dir` to the last byte; returns the file that holds it. */
export function fill(dir) {
  const file = path.join(dir, 'fill');
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(1 << 20);
  for (const size of [1 << 20, 4096, 1]) {
    try {
      for (;;) fs.writeSync(fd, chunk, 0, size);
    } catch (err) {
      if (err.code !== 'ENOSPC') throw err;
    }
  }
  fs.closeSync(fd);
  return file;
}

const OP_ARGS = { up: ['up', '-d'], restart: ['restart'], exec: ['exec', 'web', 'sh', '-c', 'sleep 0.2'] };

/** kill -9 of the supervisor `delay` ms after `op` began (once the supervisor exists). */
async function killDuring(ctx, f, { op, delay }, report) {
  const running = op === 'idle' ? undefined : startStack(ctx.env, [...f, ...OP_ARGS[op]], 30_000);
  const pid = await waitFor(() => supervisorPid(ctx.project), 10_000);
  if (!pid) return report.problems.push(`no supervisor appeared during ${op}`);
  await sleep(delay);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    report.detail += ' (it had already gone)';
  }
  await waitFor(() => !isAlive(pid), 5000);
  if (running) {
    const r = await running.result;
    report.detail += `; ${op} exited ${r.code}`;
    if (r.timedOut) report.problems.push(`${op} hung after the kill`);
  }
  // A stack that was up gets its next supervisor from its watchdog, before any command.
  if (op !== 'up' && !(await waitFor(() => (supervisorPid(ctx.project) ?? pid) !== pid, 5000)))
    report.problems.push('no supervisor came back within 5 s');
}

async function damageRecord(ctx, { file, how }, report) {
  const target = path.join(ctx.env.STACK_ROOT, 'stacks', ctx.project, file.replaceAll('PROJECT', ctx.project));
  if (!fs.existsSync(target)) return report.problems.push(`no record ${target}`);
  damage[how](target);
}

/** Fills STACK_ROOT, asks for a restart, checks the supervisor lives, frees the space. */
async function fillDisk(ctx, f, _fault, report) {
  const pid = supervisorPid(ctx.project);
  const filler = fill(ctx.env.STACK_ROOT);
  try {
    const r = await runStack(ctx.env, [...f, 'restart', 'looper'], 30_000);
    report.detail += `; restart on a full disk exited ${r.code}`;
    if (/closed the connection/.test(r.stderr)) report.problems.push(`restart on a full disk: ${r.stderr.trim()}`);
    await sleep(1000); // the looper's restart fails for lack of space meanwhile
    if (!isAlive(pid)) report.problems.push(`the supervisor (pid ${pid}) died on the full disk`);
  } finally {
    fs.rmSync(filler);
  }
}

const tmpFiles = (dir) => fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith('.tmp'));

/**
 * Runs one round of `fault` ({ kind: 'kill', op, delay } | { kind: 'record', file, how } |
 * { kind: 'full' }) on a new project in `ctx` ({ env, root, port, project }).
 */
export async function replayRound(ctx, fault) {
  const report = {
    fault: fault.kind,
    detail: describeFault(fault),
    problems: [],
    duplicates: [],
    leaks: [],
    client: { ok: 0, failed: 0 },
  };
  const file = writeStack(ctx.root, ctx.project, ctx.port);
  const f = ['-f', file];
  const round = { ...ctx, file };
  try {
    if (!(fault.kind === 'kill' && fault.op === 'up')) {
      const up = await runStack(ctx.env, [...f, 'up', '-d']);
      if (up.code !== 0) {
        report.problems.push(`the first up failed: ${up.stderr.trim()}`);
        await downClean(round, report);
        return report;
      }
    }
    // Through the fault and the up after it (which replaces what a damaged record described).
    const client = clientLoop(ctx.port);
    const stopClient = async () => {
      if (!client.stopped) report.client = await client.stop();
    };
    try {
      if (fault.kind === 'kill') await killDuring(round, f, fault, report);
      else if (fault.kind === 'record') await damageRecord(round, fault, report);
      else await fillDisk(round, f, fault, report);
      await checkRound(round, report, stopClient);
    } finally {
      await stopClient();
    }
    if (fault.kind === 'full') report.leaks.push(...tmpFiles(ctx.env.STACK_ROOT).map((t) => `temporary file ${t}`));
  } catch (err) {
    report.problems.push(`round crashed: ${err.stack}`);
  } finally {
    const forced = await salvage(round);
    if (forced.length > 0) report.detail += `; removed by force after the round: ${forced.length} objects`;
  }
  return report;
}

export function describeFault(fault) {
  if (fault.kind === 'kill') return `kill -9 ${fault.delay} ms into ${fault.op}`;
  if (fault.kind === 'record') return `${fault.file} ${fault.how}`;
  return 'STACK_ROOT full';
}

export { benchEnv } from './stack-bench-env.mjs';
export { freePort } from './fault-stack.mjs';
