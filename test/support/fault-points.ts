// Test helper for the fault points (store/fault-point.ts): starts a stack command with
// STACK_TEST_STOP_AT=<point> and waits until it has stopped itself there, so the test can
// look at what it holds and kill it with -9 at exactly that step.

import fs from 'node:fs';
import { startStack, waitFor } from './processes.js';
import type { StackEnv } from './stack-cli.js';

/** The pids of processes whose environment has all of `vars` (e.g. the watcher of a `run -d`). */
export function pidsWithEnv(...vars: string[]): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const env = fs.readFileSync(`/proc/${d}/environ`, 'utf8').split('\0');
        return vars.every((v) => env.includes(v));
      } catch {
        return false;
      }
    })
    .map(Number);
}

const isStopped = (pid: number) => {
  try {
    return /^\d+ \(.*\) T /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** Runs `stack args…` until it stops itself at `point`: its pid (for the kill) and its result. */
export async function stackStoppedAt(
  env: StackEnv,
  args: string[],
  point: string,
): Promise<{ pid: number; result: Promise<unknown> }> {
  const stopping = { ...env, env: { ...env.env, STACK_TEST_STOP_AT: point } };
  const r = startStack(stopping, args);
  const [pid] = await waitFor(
    () => {
      const stopped = pidsWithEnv(`STACK_TEST_STOP_AT=${point}`, `STACK_ROOT=${env.env.STACK_ROOT}`).filter(isStopped);
      return stopped.length > 0 ? stopped : undefined;
    },
    20_000,
    `the command to stop at ${point}`,
  );
  return { pid: pid!, result: r.result };
}
