// `post_start:` and `pre_stop:` of a validated service → ServiceHooks. compose-go reads a
// hook's `command` as a ShellCommand (a string is split into words, no shell) and its
// `environment` as a mapping whose bare keys take the variables' values.

import type { ServiceHook } from '../../model/lifecycle-hooks.js';
import { environment, toBool } from './coerce.js';
import { shellSplit } from './short-forms.js';

type Obj = Record<string, unknown>;
type Env = Record<string, string | undefined>;

function hook(raw: unknown, env: Env): ServiceHook {
  const h = (raw ?? {}) as Obj;
  const out: ServiceHook = {
    command: typeof h.command === 'string' ? shellSplit(h.command) : (h.command as unknown[]).map(String),
    privileged: toBool(h.privileged) ?? false,
    environment: environment(h.environment, env),
  };
  if (h.user !== undefined && h.user !== null) out.user = String(h.user);
  if (typeof h.working_dir === 'string') out.workingDir = h.working_dir;
  return out;
}

/** The hooks of one list, in order; undefined when the file gives none. */
export function lifecycleHooks(v: unknown, env: Env): ServiceHook[] | undefined {
  return Array.isArray(v) && v.length > 0 ? v.map((h) => hook(h, env)) : undefined;
}
