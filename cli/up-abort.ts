// --abort-on-container-exit, --abort-on-container-failure and --exit-code-from SVC of
// attached `up`, checked as docker compose checks them before anything runs.

import type { Stack } from '../model/types.js';
import { selectServices } from '../planner/plan/select-services.js';
import { UsageError } from './usage-error.js';

export interface AbortFlags {
  abortOnContainerExit?: boolean;
  abortOnContainerFailure?: boolean;
  exitCodeFrom?: string;
}

/** When attached `up` stops the stack by itself, and whose exit code it returns. */
export interface AbortRule {
  /** Only a non-zero exit aborts (--abort-on-container-failure). */
  failureOnly: boolean;
  exitCodeFrom?: string;
}

export function abortRule(flags: AbortFlags, detached: boolean): AbortRule | undefined {
  const onExit = !!flags.abortOnContainerExit || flags.exitCodeFrom !== undefined;
  if (onExit && flags.abortOnContainerFailure)
    throw new UsageError(
      '--abort-on-container-failure and --abort-on-container-exit (or --exit-code-from) contradict each other; pass one of them',
    );
  if (!onExit && !flags.abortOnContainerFailure) return undefined;
  if (detached)
    throw new UsageError(
      'the --abort-on-container-… flags and --exit-code-from need an attached `up`: not with -d or --wait',
    );
  return { failureOnly: !onExit, ...(flags.exitCodeFrom !== undefined ? { exitCodeFrom: flags.exitCodeFrom } : {}) };
}

/** --exit-code-from names a service of the file that this `up` starts (checked once the file is loaded). */
export function checkExitCodeFrom(rule: AbortRule | undefined, stack: Stack, named: string[], noDeps: boolean): void {
  const svc = rule?.exitCodeFrom;
  if (svc === undefined) return;
  if (!stack.services.some((s) => s.name === svc))
    throw new UsageError(`--exit-code-from ${svc}: no such service in the file`);
  if (named.length > 0 && !selectServices(stack, named, noDeps).has(svc))
    throw new UsageError(`--exit-code-from ${svc}: \`up ${named.join(' ')}\` does not start it`);
}
