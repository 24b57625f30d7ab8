// Plans of `stack stop`, `start` and `restart`: existing containers stopped (kept, with
// their records) or started again, dependents stopped before what they depend on and
// started after it. From the observed containers alone; the file only gives the order.

import type { Observed, ObservedContainer } from '../../model/observed.js';
import type { Operation, Plan } from '../../model/plan.js';
import { chooseContainers } from './container-command-plan.js';

export interface LifecycleOptions {
  /** Services to act on; all when empty. */
  services: string[];
  /** Services in start levels (graph.ts dependencyOrder); unknown order: one level. */
  order?: string[][];
  /** Overrides each container's stop grace period (`-t N`). */
  timeoutSeconds?: number;
}

export type LifecycleCommand = 'stop' | 'start' | 'restart';

export function lifecyclePlan(command: LifecycleCommand, observed: Observed, opts: LifecycleOptions): Plan {
  const chosen = chooseContainers(observed, opts.services);
  const level = levelOf(opts.order);
  const operations: Operation[] = [];

  const stopIds = new Map<string, number>();
  if (command !== 'start') {
    // Exited ones too: one waiting for its restart policy's next attempt must stay down.
    for (const c of chosen) {
      // Dependents first: a container waits for the stops of every deeper level.
      const after = chosen.filter((o) => level(o.service) > level(c.service)).map((o) => `stop:${o.name}`);
      operations.push({
        kind: 'container.stop',
        id: `stop:${c.name}`,
        cause: command,
        after,
        project: observed.project,
        name: c.name,
        stopSignal: c.stopSignal,
        stopGraceSeconds: opts.timeoutSeconds ?? c.stopGraceSeconds,
      });
      stopIds.set(c.name, level(c.service));
    }
  }
  if (command !== 'stop') {
    const starting = command === 'restart' ? chosen : chosen.filter((c) => !c.running);
    for (const c of starting) {
      const after = [
        ...(command === 'restart' ? [...stopIds.keys()].map((n) => `stop:${n}`) : []),
        ...starting.filter((o) => level(o.service) < level(c.service)).map((o) => `resume:${o.name}`),
      ];
      operations.push({
        kind: 'container.resume',
        id: `resume:${c.name}`,
        cause: command,
        after,
        project: observed.project,
        name: c.name,
      });
    }
  }
  const notes =
    operations.length === 0
      ? [`${describeChoice(chosen, opts)} already ${command === 'stop' ? 'stopped' : 'running'}`]
      : [];
  return { project: observed.project, operations, notes };
}

function levelOf(order: string[][] | undefined): (service: string) => number {
  const levels = new Map<string, number>();
  order?.forEach((names, i) => names.forEach((n) => levels.set(n, i)));
  return (service) => levels.get(service) ?? 0;
}

function describeChoice(chosen: ObservedContainer[], opts: LifecycleOptions): string {
  if (chosen.length === 0) return 'no container:';
  return opts.services.length === 0
    ? 'every container is'
    : `${opts.services.join(', ')}: ${chosen.length === 1 ? 'its container is' : 'their containers are'}`;
}
