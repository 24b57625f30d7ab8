// Project names, as docker compose checks them. A name given explicitly (`-p`,
// COMPOSE_PROJECT_NAME, the file's top-level `name:`) must already be valid: it names
// folders under STACK_ROOT and STACK_RUN, nftables tables and containers, and rewriting it
// silently (`sec/../../x` became `secx`) would act on a stack the user did not name. Only
// the default, the project folder's name, is normalised, as compose does.

import { MAX_NAME_LENGTH } from '../../model/name-limits.js';

const VALID = /^[a-z0-9][a-z0-9_-]*$/;

/** What is wrong with an explicitly given project name, or undefined when it is valid. */
export function projectNameProblem(name: string): string | undefined {
  if (!VALID.test(name)) {
    return `invalid project name ${JSON.stringify(name)}: it must contain only lowercase letters, decimal digits, dashes and underscores, and begin with a lowercase letter or decimal digit`;
  }
  return projectNameLengthProblem(name);
}

/** A project name longer than a DNS label (name-limits.ts says why). */
export function projectNameLengthProblem(name: string): string | undefined {
  if (name.length <= MAX_NAME_LENGTH) return undefined;
  return `project name "${name}" is ${name.length} characters long, more than the ${MAX_NAME_LENGTH} stack allows (it names the stack's folders, cgroups and nftables rules); use a shorter one`;
}

/** The default project name from a folder's name: lowercase, only `[a-z0-9_-]` kept, no leading `-` or `_` (compose's normalisation). */
export function normalizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[-_]+/, '');
}
