// Types of fault-replay.mjs for test/integration/fault-replay.test.ts.

export type Fault =
  | { kind: 'kill'; op: 'up' | 'restart' | 'exec' | 'idle'; delay: number }
  | { kind: 'record'; file: string; how: 'truncated' | 'emptied' | 'garbage' | 'deleted' }
  | { kind: 'full' };

export interface RoundReport {
  fault: Fault['kind'];
  detail: string;
  /** Why `up -d` did not converge (or a step of the round failed). */
  problems: string[];
  /** Containers found running more than once. */
  duplicates: string[];
  /** Objects of the project left after `down`. */
  leaks: string[];
  client: { ok: number; failed: number };
}

export interface BenchEnv {
  root: string;
  env: NodeJS.ProcessEnv & { STACK_ROOT: string; STACK_RUN: string };
  dispose(): void;
}

export const KILL_OPS: readonly ['up', 'restart', 'exec', 'idle'];
export function randomKill(
  random: () => number,
  ops?: readonly Extract<Fault, { kind: 'kill' }>['op'][],
): Extract<Fault, { kind: 'kill' }>;
export const DAMAGES: readonly ['truncated', 'emptied', 'garbage', 'deleted'];
export function replayRound(
  ctx: { env: BenchEnv['env']; root: string; port: number; project: string },
  fault: Fault,
): Promise<RoundReport>;
export function describeFault(fault: Fault): string;
export function recordFiles(env: BenchEnv['env'], project: string): string[];
export function benchEnv(prefix: string, options?: { tmpfs?: string }): BenchEnv;
export function freePort(): Promise<number>;
/** Fills the file system of `dir` to the last byte; returns the file that holds it. */
export function fill(dir: string): string;
