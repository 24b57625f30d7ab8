// Walks the Plan's DAG: each operation starts once everything in its `after` list has
// finished, with at most `concurrency` running at once. A failed operation skips
// everything that waits on it; independent branches still finish, so the host ends in a
// state the next `up` or `down` can converge from. A container.start's `releaseAfter`
// gates only its command: it is made at once and waits, without holding a slot, for
// those operations before its execve (and is taken down unstarted if one fails).

import { traceMark } from '../store/trace-marks.js';
import type { Operation, Plan } from '../model/plan.js';
import { findCycle } from '../model/plan-cycle.js';
import { describe } from '../model/plan-text.js';
import type { Host } from './host.js';
import type { Reporter } from './reporter.js';
import { applyOperation, type ApplyContext } from './apply-operation.js';
import type { ContainerHooks } from './container-hooks.js';
import { DependencyError } from './wait-dependencies.js';
import { Slots } from './slots.js';
import { ApplyError } from './apply-error.js';

export { ApplyError };

export interface ExecuteOptions {
  /**
   * At most this many operations at once (default 8). A container start costs the
   * supervisor ~10 ms of CPU with the native init stage (prepare, spawn, wire), so more
   * than the cores run well; 4 held the fifth container of a 5-service stack back ~40 ms.
   */
  concurrency?: number;
  /** Cancels waiting operations (see ApplyContext). */
  signal?: AbortSignal;
  /** Called at each step on a container (see ApplyContext). */
  hooks?: ContainerHooks;
}

export async function execute(plan: Plan, host: Host, reporter: Reporter, opts: ExecuteOptions = {}): Promise<void> {
  const ring = findCycle(plan.operations);
  if (ring)
    throw new Error(
      `the plan's operations wait for each other in a ring (${ring.join(' → ')}), so none of them can run; this is a bug in stack's planner, please report it with \`stack plan\`'s output`,
    );
  const slots = new Slots(opts.concurrency ?? 8);
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
      await slots.acquire();
      const started = performance.now();
      reporter.event({ type: 'start', id: op.id, kind: op.kind, subject: describe(op) });
      try {
        const ctx: ApplyContext = { signal: opts.signal, hooks: opts.hooks };
        const gate = op.kind === 'container.start' ? (op.releaseAfter ?? []).filter((id) => byId.has(id)) : [];
        if (gate.length > 0 && op.kind === 'container.start')
          ctx.beforeRelease = () => gateOn(gate, op.container.service);
        traceMark(`exe: ${op.id} start`);
        const warnings = await applyOperation(op, host, ctx);
        traceMark(`exe: ${op.id} done`);
        reporter.event({
          type: 'done',
          id: op.id,
          ms: Math.round(performance.now() - started),
          ...(warnings?.length ? { warnings } : {}),
        });
        return true;
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        failures.push({ id: op.id, error });
        reporter.event({ type: 'failed', id: op.id, message: error.message });
        return false;
      } finally {
        slots.release();
      }
    })();
    outcome.set(op.id, promise);
    return promise;
  };

  /** Waits for `ids` with this operation's slot handed back meanwhile. */
  const gateOn = async (ids: string[], service: string): Promise<void> => {
    slots.release();
    let oks: boolean[];
    try {
      oks = await Promise.all(ids.map((id) => run(byId.get(id)!)));
    } finally {
      await slots.acquire();
    }
    const failed = ids.filter((_, i) => !oks[i]).map((id) => byId.get(id)!);
    const services = [...new Set(failed.map((op) => (op.kind === 'container.start' ? op.container.service : op.id)))];
    // Worded as a container.wait words it (wait-dependencies.ts).
    if (services.length > 0)
      throw new DependencyError(
        service,
        services.map((s) => `dependency ${s} failed to start`),
      );
  };

  await Promise.all(plan.operations.map(run));
  if (failures.length > 0) throw new ApplyError(failures);
}
