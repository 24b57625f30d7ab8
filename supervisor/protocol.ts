// What the CLI and a stack's supervisor say to each other over the unix socket in the
// stack's run directory: one JSON document per line, requests one way, messages back.

import type { Plan } from '../model/plan.js';
import type { ReconcileOptions } from '../planner/plan/reconcile.js';
import type { Stack } from '../model/types.js';
import type { ProgressEvent } from '../executor/reporter.js';
import type { LifecycleCommand, LifecycleOptions } from '../planner/plan/lifecycle-plan.js';
import type { ContainerCommand } from '../planner/plan/container-command-plan.js';
import type { LifecycleEvent } from './events.js';
import type { SupervisorResources } from './resources.js';

export type Request =
  | ({ op: 'apply'; stack: Stack; options: ReconcileOptions } & Parallel)
  | ({ op: 'down'; timeoutSeconds?: number; removeVolumes?: boolean } & Parallel)
  | ({ op: 'lifecycle'; command: LifecycleCommand; options: LifecycleOptions } & Parallel)
  /** `stack kill`, `rm`, `pause`, `unpause`: planned from the records (container-command-plan.ts). */
  | ({ op: 'containers'; request: ContainerCommand } & Parallel)
  /** Brings the stack back after a reboot, from its records (`stack boot`). */
  | { op: 'boot' }
  /** Streams lifecycle events until the connection closes (served beside the request queue). */
  | { op: 'events' }
  /** What the supervisor holds now: memory by kind, live handles (served beside the queue). */
  | { op: 'resources' }
  | { op: 'ping' };

/** `--parallel N` / COMPOSE_PARALLEL_LIMIT: at most N operations of the plan at once (absent: the executor's default). */
export interface Parallel {
  parallel?: number;
}

/** An error crossing the socket keeps its type name and the fields the CLI renders. */
export interface WireError {
  name: string;
  message: string;
  problems?: string[];
  failures?: { id: string; message: string }[];
}

export type Message =
  | { type: 'plan'; plan: Plan }
  | { type: 'progress'; event: ProgressEvent }
  | { type: 'event'; event: LifecycleEvent }
  /** An events request is subscribed: what was published before it is in the kept history. */
  | { type: 'subscribed' }
  | { type: 'resources'; resources: SupervisorResources }
  | { type: 'done'; pid: number }
  | { type: 'error'; error: WireError };

export function toWireError(err: unknown): WireError {
  const e = err instanceof Error ? err : new Error(String(err));
  const wire: WireError = { name: e.name, message: e.message };
  const extra = e as Error & { problems?: string[]; failures?: { id: string; error: Error }[] };
  if (extra.problems) wire.problems = extra.problems;
  if (extra.failures) wire.failures = extra.failures.map((f) => ({ id: f.id, message: f.error.message }));
  return wire;
}

/** Splits a byte stream into JSON lines. */
export function lineReader(onValue: (value: unknown) => void): (chunk: Buffer) => void {
  let buffered = '';
  return (chunk) => {
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.trim()) onValue(JSON.parse(line));
    }
  };
}
