// How the supervisor plans an `apply`: under the host-wide allocation lock, so two stacks
// planning at once never both see the same subnet, host port or address on a shared
// network as free and both take it. Held only for observe → reconcile → claim (tens of
// milliseconds), not for the apply: the plan's choices are published as claims
// (model/claims.ts) before the lock goes, and the next stack's observe counts them as
// taken. Executing under the lock would serialise every stack's container starts and
// healthcheck waits behind each other; the caller withdraws the claims when the apply ends.

import { traceMark } from '../store/trace-marks.js';
import type { Host } from '../executor/host.js';
import { claimsOf } from '../model/claims.js';
import { observeOptionsFor } from '../planner/plan/observe-options.js';
import type { Plan } from '../model/plan.js';
import { reconcile } from '../planner/plan/reconcile.js';
import type { Request } from './protocol.js';

export async function planApply(host: Host, project: string, req: Extract<Request, { op: 'apply' }>): Promise<Plan> {
  const lock = await host.allocation.lock(project);
  try {
    traceMark('sup: allocation locked');
    const observed = await host.observe(project, observeOptionsFor(req.stack));
    traceMark('sup: observed');
    const plan = reconcile(req.stack, observed, req.options);
    // A plan that makes nothing claims nothing: no record to write (a no-op `up` waits for it).
    if (plan.operations.length > 0) await host.allocation.claim(project, claimsOf(plan));
    return plan;
  } finally {
    lock.release();
  }
}
