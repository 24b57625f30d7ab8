// What the supervisor does for each request: observe, reconcile (the same pure planner code
// `stack plan` runs), execute, and stream the plan and progress back.

import { traceMark } from '../store/trace-marks.js';
import type { Host } from '../executor/host.js';
import type { ContainerHooks } from '../executor/container-hooks.js';
import type { Journal } from '../executor/journal.js';
import type { Reporter } from '../executor/reporter.js';
import { teardown } from '../planner/plan/teardown.js';
import { lifecyclePlan } from '../planner/plan/lifecycle-plan.js';
import { containerCommandPlan } from '../planner/plan/container-command-plan.js';
import type { Message, Request } from './protocol.js';
import { executeJournaled, noteInterrupted, runPlan } from './journaled-execute.js';
import { planApply } from './plan-apply.js';
import { bootStack, type BootContext } from './boot.js';

export interface HandlerContext {
  project: string;
  host: Host;
  /** Called by the executor at each step on a container: events, health checks, restarts, DNS (lifecycle.ts). */
  hooks?: ContainerHooks;
  send: (m: Message) => void;
  /** The stack's DNS server: reloaded after every change, so names follow the containers. */
  dns?: { reload(): Promise<void> };
  /** Opens the stack's journal of applied operations (the previous apply's entries readable). */
  journal: (project: string) => Journal;
  /** Told when a down kept a network for other stacks, and when the stack changes again after. */
  finishDown?: { arm(): void; disarm(): void };
  /** The restart policies, held while `stack boot` runs (boot.ts). */
  restarts?: BootContext['restarts'];
}

export async function handleRequest(req: Request, ctx: HandlerContext): Promise<'continue' | 'exit'> {
  const reporter: Reporter = { event: (event) => ctx.send({ type: 'progress', event }) };
  switch (req.op) {
    case 'ping':
      ctx.send({ type: 'done', pid: process.pid });
      return 'continue';
    case 'apply': {
      traceMark('sup: apply request');
      const plan = await planApply(ctx.host, ctx.project, req);
      traceMark('sup: planned');
      try {
        const journal = ctx.journal(ctx.project);
        noteInterrupted(plan, journal);
        ctx.send({ type: 'plan', plan });
        await executeJournaled(plan, ctx.host, reporter, journal, ctx.hooks, req.parallel);
        traceMark('sup: apply done');
        // The CLI is told before the claims go and the names reload (~2-5 ms on a first `up`'s
        // path): every started container's name was loaded before its release, and the next
        // request waits in the queue until this one has returned, so none sees them half done.
        ctx.send({ type: 'done', pid: process.pid });
      } finally {
        // Whatever the apply made now has its state records; what it did not make is free
        // again. A plan without operations changed nothing (and claimed nothing): the names
        // the DNS serves are as they were, and a no-op `up` does not wait for a reload.
        if (plan.operations.length > 0) {
          await ctx.host.allocation.unclaim(ctx.project);
          await ctx.dns?.reload();
        }
      }
      return 'continue';
    }
    case 'lifecycle':
    case 'containers': {
      const observed = await ctx.host.observe(ctx.project);
      const plan =
        req.op === 'lifecycle'
          ? lifecyclePlan(req.command, observed, req.options)
          : containerCommandPlan(req.request, observed);
      ctx.send({ type: 'plan', plan });
      await executeJournaled(plan, ctx.host, reporter, ctx.journal(ctx.project), ctx.hooks, req.parallel);
      // `rm`: the names of removed containers leave the stack's DNS.
      if (req.op === 'containers' && req.request.command === 'rm') await ctx.dns?.reload();
      ctx.send({ type: 'done', pid: process.pid });
      return 'continue';
    }
    case 'boot':
      await bootStack(ctx, reporter);
      ctx.send({ type: 'done', pid: process.pid });
      return 'continue';
    case 'events':
    case 'resources':
      // Served by the server beside the queue (see main.ts); never queued.
      ctx.send({ type: 'done', pid: process.pid });
      return 'continue';
    case 'down': {
      const observed = await ctx.host.observe(ctx.project);
      const plan = teardown(observed, {
        ...(req.timeoutSeconds !== undefined ? { timeoutSeconds: req.timeoutSeconds } : {}),
        removeVolumes: !!req.removeVolumes,
      });
      await runPlan(plan, ctx, reporter, req.parallel);
      // A network that stayed for other stacks keeps its resolver (this supervisor's DNS
      // server on its gateway) until its last user leaves (finish-down.ts) or a later
      // `down` finds it unused.
      ctx.send({ type: 'done', pid: process.pid });
      if (plan.operations.some((op) => op.kind === 'stack.forget')) return 'exit';
      ctx.finishDown?.arm();
      return 'continue';
    }
  }
}
