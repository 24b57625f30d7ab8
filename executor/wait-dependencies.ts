// A `container.wait`: every dependency's containers checked in parallel through the Host;
// a required one that cannot meet its condition fails the wait (and so skips the start
// after it) with the reason; an optional one (required: false) only warns.

import type { Operation } from '../model/plan.js';
import type { Host } from './host.js';

/** A service was not started because a dependency did not meet its condition. */
export class DependencyError extends Error {
  readonly service: string;
  readonly reasons: string[];
  constructor(service: string, reasons: string[]) {
    super(`${service} not started: ${reasons.join('; ')}`);
    this.name = 'DependencyError';
    this.service = service;
    this.reasons = reasons;
  }
}

/** A replacement did not get ready: the container it was to replace stays. */
export class ReplacementNotReadyError extends Error {
  constructor(container: string, old: string, reason: string) {
    super(
      `${container} ${reason}, so it does not replace ${old}, which keeps running; fix the service and run \`stack up\` again`,
    );
    this.name = 'ReplacementNotReadyError';
  }
}

export async function waitForDependencies(
  op: Extract<Operation, { kind: 'container.wait' }>,
  host: Host,
  signal?: AbortSignal,
): Promise<string[]> {
  const checks = op.dependencies.flatMap((dep) =>
    dep.containers.map(async (container) => {
      const opts = {
        ...(dep.timeoutSeconds !== undefined ? { timeoutMs: dep.timeoutSeconds * 1000 } : {}),
        ...(signal ? { signal } : {}),
      };
      const outcome = await host.containers.waitFor(op.project, container, dep.condition, opts);
      if (!outcome.met && op.replaces) throw new ReplacementNotReadyError(container, op.replaces, outcome.reason);
      const who = dep.containers.length > 1 ? `${dep.service} (${container})` : dep.service;
      return { dep, text: outcome.met ? undefined : `dependency ${who} ${outcome.reason}` };
    }),
  );
  const results = await Promise.all(checks);
  const required = results.filter((r) => r.text && r.dep.required).map((r) => r.text!);
  if (required.length > 0) throw new DependencyError(op.service, required);
  return results.filter((r) => r.text).map((r) => `${op.service} starts anyway: ${r.text} (required: false)`);
}
