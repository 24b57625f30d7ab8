// The one place errors become text and exit codes. Every typed error of the planner,
// executor, host and supervisor is rendered here; nothing else prints errors or exits.

import { escapeControls } from './terminal-text.js';

export const EXIT = { ok: 0, error: 1, usage: 2, interrupted: 130 } as const;

/**
 * The modules of the typed errors, imported only once a command has failed: importing them
 * up front would load the planner, executor and supervisor client into every command.
 */
async function errorTypes() {
  const [
    { StackFileError },
    { PlanError },
    { ApplyError },
    { SupervisorError },
    { renderDiagnostics },
    { UsageError },
    { ContainerExecError },
    { BadRecordError },
    { ProjectOfBrokenFileError },
    { BuildsFailedError },
  ] = await Promise.all([
    import('../model/diagnostics.js'),
    import('../planner/plan/plan-error.js'),
    import('../executor/apply-error.js'),
    import('../supervisor/supervisor-error.js'),
    import('./render-diagnostics.js'),
    import('./usage-error.js'),
    import('../executor/host.js'),
    import('../store/record-errors.js'),
    import('./project-of-broken-file-error.js'),
    import('../images/builds-failed-error.js'),
  ]);
  return {
    StackFileError,
    PlanError,
    ApplyError,
    SupervisorError,
    renderDiagnostics,
    UsageError,
    ContainerExecError,
    BadRecordError,
    ProjectOfBrokenFileError,
    BuildsFailedError,
  };
}

/** The error as the user sees it; whatever it quotes from files, images or containers is escaped. */
export async function renderError(err: unknown): Promise<{ text: string; code: number }> {
  const { text, code } = await renderUnescaped(err);
  const hint = await hostHintOf(err);
  return { text: escapeControls(hint.length > 0 ? [text.trimEnd(), ...hint].join('\n') : text), code };
}

/**
 * What `stack doctor` says about the host piece a failure names (a failed mount of overlay,
 * nftables, a cgroup, …): one line per gap, nothing for errors of the file or the plan.
 */
async function hostHintOf(err: unknown): Promise<string[]> {
  const {
    ApplyError,
    SupervisorError,
    StackFileError,
    PlanError,
    UsageError,
    ContainerExecError,
    BadRecordError,
    BuildsFailedError,
  } = await errorTypes();
  let messages: string[];
  if (err instanceof ApplyError) messages = err.failures.map((f) => f.error.message);
  else if (err instanceof SupervisorError)
    messages = err.wire.problems ? [] : (err.wire.failures?.map((f) => f.message) ?? [err.wire.message]);
  else if (
    err instanceof Error &&
    ![StackFileError, PlanError, UsageError, ContainerExecError, BadRecordError, BuildsFailedError].some(
      (t) => err instanceof t,
    )
  )
    messages = [err.message];
  else return [];
  const [{ checksPointedAt, hostGaps }, { hintLine }] = await Promise.all([
    import('../doctor/host-hint.js'),
    import('./doctor-render.js'),
  ]);
  if (checksPointedAt(messages).length === 0) return [];
  try {
    return (await hostGaps(messages)).map(hintLine);
  } catch {
    return []; // the hint is a help: it never hides the error itself
  }
}

async function renderUnescaped(err: unknown): Promise<{ text: string; code: number }> {
  const {
    StackFileError,
    PlanError,
    ApplyError,
    SupervisorError,
    renderDiagnostics,
    UsageError,
    ContainerExecError,
    BadRecordError,
    ProjectOfBrokenFileError,
    BuildsFailedError,
  } = await errorTypes();
  if (err instanceof BuildsFailedError)
    return { text: (await import('./build-errors.js')).renderBuildFailures(err), code: EXIT.error };
  if (err instanceof ProjectOfBrokenFileError)
    return { text: `${renderDiagnostics(err.diagnostics)}\nstack: ${err.message}`, code: EXIT.error };
  if (err instanceof StackFileError) return { text: renderDiagnostics(err.diagnostics), code: EXIT.error };
  if (err instanceof UsageError) return { text: `stack: ${err.message}`, code: EXIT.usage };
  // docker's codes: 126 when the command cannot be started, 127 when it is not found.
  if (err instanceof ContainerExecError) return { text: `stack: ${err.message}`, code: err.exitCode };
  if (err instanceof BadRecordError) {
    return {
      text: `stack: ${err.message}\n\`stack up\` and \`stack down\` remove what it described by name (the container, its veths, cgroups, bridge or nftables table)`,
      code: EXIT.error,
    };
  }
  if (err instanceof PlanError) return { text: planProblems(err.problems), code: EXIT.error };
  if (err instanceof ApplyError)
    return { text: applyFailures(err.failures.map((f) => ({ id: f.id, message: f.error.message }))), code: EXIT.error };
  if (err instanceof SupervisorError) {
    const w = err.wire;
    if (w.problems) return { text: planProblems(w.problems), code: EXIT.error };
    if (w.failures) return { text: applyFailures(w.failures), code: EXIT.error };
    return { text: `stack: ${w.message}`, code: EXIT.error };
  }
  if (err instanceof Error) return { text: `stack: ${err.message}`, code: EXIT.error };
  return { text: `stack: ${String(err)}`, code: EXIT.error };
}

function planProblems(problems: string[]): string {
  return [`stack cannot apply this file; nothing was changed:`, ...problems.map((p) => `  - ${p}`)].join('\n');
}

function applyFailures(failures: { id: string; message: string }[]): string {
  return [
    `stack: ${failures.length} operation${failures.length === 1 ? '' : 's'} failed:`,
    ...failures.map((f) => `  ${f.id}: ${f.message.split('\n').join('\n    ')}`),
    'What succeeded stays in place; run `stack up` again after fixing the cause, or `stack down` to remove everything.',
  ].join('\n');
}

/** Runs a command body and turns its outcome into the process exit code. */
export async function runCommand(body: () => Promise<number | void>): Promise<void> {
  try {
    const code = await body();
    process.exitCode = code ?? EXIT.ok;
  } catch (err) {
    const { text, code } = await renderError(err);
    process.stderr.write(text.endsWith('\n') ? text : text + '\n');
    process.exitCode = code;
  }
}
