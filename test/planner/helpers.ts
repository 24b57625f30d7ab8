import { StackFileError, type Diagnostic } from '../../model/diagnostics.js';
import { PlanError } from '../../planner/plan/plan-error.js';
import { loadStack } from '../../planner/load/load.js';
import type { Stack } from '../../model/types.js';

export function load(text: string, env: Record<string, string | undefined> = {}, projectName?: string): Stack {
  return loadStack({ files: [{ path: 'stack.yaml', text }], projectDir: '/home/u/My App', env, projectName });
}

/** The diagnostics loading `text` produces, as `line:col: message` strings. */
export function problems(text: string, env: Record<string, string | undefined> = {}): string[] {
  return diagnostics(text, env).map((d) => `${d.line}:${d.col}: ${d.message}`);
}

export function diagnostics(text: string, env: Record<string, string | undefined> = {}): Diagnostic[] {
  try {
    load(text, env);
  } catch (e) {
    if (e instanceof StackFileError) return e.diagnostics;
    throw e;
  }
  throw new Error('expected the stack file to be rejected');
}

/** The problems of the PlanError `run` throws; none when it plans. */
export function planProblems(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    if (err instanceof PlanError) return err.problems;
    throw err;
  }
  return [];
}
