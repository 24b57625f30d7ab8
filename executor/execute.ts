// Walks the Plan's DAG: each operation starts once everything in its `after` list has
// finished, with at most `concurrency` running at once (p-queue). A failed operation
// skips everything that waits on it; independent branches still finish, so the host
// ends in a state the next `up` or `down` can converge from.

import PQueue from 'p-queue';
import type { Operation, Plan } from '../planner/plan.js';
import { describe } from '../planner/plan-text.js';
import type { Host } from './host.js';
import type { Reporter } from './reporter.js';
import { applyOperation } from './apply-operation.js';

export class ApplyError extends Error {
  readonly failures: { id: string; error: Error }[];
  constructor(failures: { id: string; error: Error }[]) {
    super(failures.map((f) => `${f.id}: ${f.error.message}`).join('\n'));
    this.name = 'ApplyError';
    this.failures = failures;
  }
}

export interface ExecuteOptions {
  concurrency?: number;
  /** Cancels waiting operations (see ApplyContext). */
  signal?: AbortSignal;
}

export async function execute(plan: Plan, host: Host, reporter: Reporter, opts: ExecuteOptions = {}): Promise<void> {
  const queue = new PQueue({ concurrency: opts.concurrency ?? 4 });
  const byId = new Map(plan.operations.map((op) => [op.id, op]));
  const outcome = new Map<string, Promise<boolean>>();
  const failures: { id: string; error: Error }[] = [];

  const run = (op: Operation): Promise<boolean> => {
    let promise = outcome.get(op.id);
    if (promise) return promise;
    promise = (async () => {
      const waitsFor = op.after.filter((id) => byId.has(id));
      const [deps] = await Promise.all([
        Promise.all(waitsFor.map((id) => run(byId.get(id)!))),
        Promise.all((op.settled ?? []).filter((id) => byId.has(id)).map((id) => run(byId.get(id)!))),
      ]);
      if (deps.some((ok) => !ok)) {
        const failed = waitsFor.filter((_, i) => !deps[i]);
        reporter.event({ type: 'skipped', id: op.id, reason: `waits for ${failed.join(', ')}, which did not succeed` });
        return false;
      }
      return (await queue.add(async () => {
        const started = performance.now();
        reporter.event({ type: 'start', id: op.id, kind: op.kind, subject: describe(op) });
        try {
          const warnings = await applyOperation(op, host, opts.signal ? { signal: opts.signal } : {});
          reporter.event({ type: 'done', id: op.id, ms: Math.round(performance.now() - started), ...(warnings?.length ? { warnings } : {}) });
          return true;
        } catch (err) {
          const error = err instanceof Error ? err : new Error(String(err));
          failures.push({ id: op.id, error });
          reporter.event({ type: 'failed', id: op.id, message: error.message });
          return false;
        }
      })) as boolean;
    })();
    outcome.set(op.id, promise);
    return promise;
  };

  await Promise.all(plan.operations.map(run));
  if (failures.length > 0) throw new ApplyError(failures);
}
