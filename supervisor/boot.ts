// The supervisor's side of `stack boot`: the stack brought back from its records after a
// reboot (planner/plan/boot-plan.ts says what comes back). Restart policies wait meanwhile: a
// container that died with the machine is the boot's to decide, and a restart scheduled
// for it when this supervisor adopted it would start it a second time.

import { bootPlan } from '../planner/plan/boot-plan.js';
import { readState } from '../store/state-store.js';
import type { Reporter } from '../executor/reporter.js';
import { runPlan, type PlanRun } from './journaled-execute.js';

export interface BootContext extends PlanRun {
  /** The supervisor's restart policies (lifecycle.ts), held while the boot runs. */
  restarts?: { pauseRestarts(): Promise<void>; resumeRestarts(): Promise<void> };
}

export async function bootStack(ctx: BootContext, reporter: Reporter): Promise<void> {
  await ctx.restarts?.pauseRestarts();
  try {
    // Damaged records stop the boot with their error: `up` or `down` deals with them.
    const [networks, containers, nat] = await Promise.all([
      readState.networks(ctx.project),
      readState.containers(ctx.project),
      readState.nat(ctx.project),
    ]);
    const plan = bootPlan(await ctx.host.observe(ctx.project), { networks, containers, ...(nat ? { nat } : {}) });
    await runPlan(plan, ctx, reporter);
  } finally {
    await ctx.restarts?.resumeRestarts();
  }
}
