// Process helpers for crash tests: find a stack's supervisor, kill it, run the CLI in the
// background (so a test can kill it, or its supervisor, mid-command), and wait for a
// condition.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { argvOf, isSupervisorOf, isWatchdogOf } from '../../supervisor/stray-supervisors.js';
import { repoRoot, type Result, type StackEnv } from './stack-cli.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Pids whose command line ends in `bin/stack-supervisor.js <project>` (what the CLI
 * spawns; one started early by `up` sets that as its title) or `dist/supervisor/main.js
 * <project>` (unbundled); zombies have none.
 */
export function supervisorPids(project: string): number[] {
  return procPids((argv) => isSupervisorOf(argv, project));
}

/** Pids whose command line (as the production code reads it; zombies and the gone have none) `matches`. */
function procPids(matches: (argv: string[]) => boolean): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && matches(argvOf(entry)))
    .map(Number);
}

export function findSupervisorPid(project: string): number | undefined {
  return supervisorPids(project)[0];
}

/** True while `pid` exists and is not a zombie (orphans may never be reaped on this host). */
export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** SIGKILLs `pid` (with `group`, its process group) and waits until it is gone. */
export async function killAndWait(pid: number, group = false): Promise<void> {
  try {
    process.kill(group ? -pid : pid, 'SIGKILL');
  } catch {
    return;
  }
  await waitFor(() => !isAlive(pid), 5000, `pid ${pid} to die`);
}

/** Pids of `project`'s supervisor watchdog (supervisor/watchdog.ts): `sh -c … stack-watchdog <project> …`. */
export function watchdogPids(project: string): number[] {
  return procPids((argv) => isWatchdogOf(argv, project));
}

/** Kills every supervisor of `project` still running, its watchdog first (test clean-up). */
export async function killSupervisors(project: string): Promise<void> {
  await Promise.all(watchdogPids(project).map((pid) => killAndWait(pid)));
  await Promise.all(supervisorPids(project).map((pid) => killAndWait(pid)));
}

/** Polls `fn` until it returns a truthy value; throws after `ms`. */
export async function waitFor<T>(fn: () => T | Promise<T>, ms = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}

export interface Running {
  child: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  result: Promise<Result>;
}

/** Starts `stack ARGS…` without waiting for it. */
export function startStack(env: StackEnv, args: string[]): Running {
  const child = spawn(path.join(repoRoot, 'bin/stack'), [...args], { cwd: env.root, env: env.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const result = new Promise<Result>((resolve) =>
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? -1 : 0), stdout, stderr })),
  );
  return { child, stderr: () => stderr, result };
}

/** Pids of the processes `matches` accepts (a process that ends meanwhile, or throws, is left out). */
export function pidsWhere(matches: (pid: number) => boolean): number[] {
  return fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      try {
        return matches(pid);
      } catch {
        return false;
      }
    });
}

/** Supervisors started early that wait for their project, whose STACK_RUN is `run` (a zombie has no cmdline). */
export function earlySupervisorsIn(run: string): number[] {
  return pidsWhere(
    (pid) =>
      fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--project-from-stdin') &&
      fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`STACK_RUN=${run}`),
  );
}
