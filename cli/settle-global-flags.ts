// The global flags' values, copied into their COMPOSE_* variables and checked (global-flags.ts
// registers the flags). A module of its own: the one-shot `stack run` (one-shot-run.ts) checks
// the variables without the flags' registration, whose --dry-run hook would bring the
// dry-run action (the planner, the loader) into its bundle.

import { ANSI_MODES, PROGRESS_MODES } from './terminal-mode.js';
import type { GlobalOptions } from './stack-file.js';

export interface GlobalFlags extends GlobalOptions {
  ansi?: string;
  progress?: string;
  parallel?: string;
  dryRun?: boolean;
  compatibility?: boolean;
}

/** Copies the flags into their variables and checks both; a problem's text, or undefined. */
export function settleGlobalFlags(flags: GlobalFlags): string | undefined {
  // Read from the project's environment by the loader (planner/load/coerce.ts compatibility), as compose.
  if (flags.compatibility) process.env.COMPOSE_COMPATIBILITY = '1';
  const checks = [
    { flag: '--ansi', variable: 'COMPOSE_ANSI', given: flags.ansi, ok: (v: string) => ANSI_MODES.some((m) => m === v) },
    {
      flag: '--progress',
      variable: 'COMPOSE_PROGRESS',
      given: flags.progress,
      ok: (v: string) => PROGRESS_MODES.some((m) => m === v),
    },
    { flag: '--parallel', variable: 'COMPOSE_PARALLEL_LIMIT', given: flags.parallel, ok: parallelOk },
  ];
  for (const c of checks) {
    if (c.given !== undefined) process.env[c.variable] = c.given;
    const value = process.env[c.variable];
    if (value === undefined || value === '' || c.ok(value)) continue;
    const wanted =
      c.flag === '--parallel'
        ? 'a whole number above 0, or -1'
        : c.flag === '--ansi'
          ? ANSI_MODES.join(', ')
          : PROGRESS_MODES.join(', ');
    return `${c.given !== undefined ? c.flag : c.variable} takes ${wanted}, not "${value}"`;
  }
  return undefined;
}

const parallelOk = (v: string): boolean => /^(-1|[1-9][0-9]*)$/.test(v);
