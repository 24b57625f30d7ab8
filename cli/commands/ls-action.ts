// What `stack ls` does (loaded only when it runs; see ls.ts). docker compose's rules: without
// --all a stack shows when one of its containers runs, and only its running ones count; the
// status is each state with its count, states in alphabetical order (`exited(1), running(2)`);
// json has compose's field names (Name, Status, ConfigFiles). The stacks builds make for
// themselves (model/build-projects.ts) are never listed, --all or not: compose lists no
// BuildKit internals.

import { isBuildProject } from '../../model/build-projects.js';
import { readConfigFiles } from '../../store/config-files.js';
import { readState } from '../../store/state-store.js';
import { containerStatus } from '../../supervisor/status.js';
import { renderError } from '../errors.js';
import { renderTable } from '../table.js';
import { UsageError } from '../usage-error.js';

export interface LsOptions {
  all?: boolean;
  filter?: string[];
  format: string;
  quiet?: boolean;
}

export interface StackListing {
  Name: string;
  Status: string;
  ConfigFiles: string;
}

export async function ls(opts: LsOptions): Promise<void> {
  if (opts.format !== 'table' && opts.format !== 'json')
    throw new UsageError(`--format ${opts.format}: use table or json`);
  const matches = nameFilters(opts.filter ?? []);
  const listed: StackListing[] = [];
  for (const project of await readState.projects()) {
    if (!matches(project) || isBuildProject(project)) continue;
    const states = await countedStates(project);
    if (states === undefined) continue;
    // docker ps without -a: a paused container runs.
    const shown = opts.all ? states : states.filter((s) => s === 'running' || s === 'paused');
    if (shown.length === 0) continue;
    listed.push({
      Name: project,
      Status: combinedStatus(shown),
      ConfigFiles: (await readConfigFiles(project)).join(','),
    });
  }
  if (opts.quiet) process.stdout.write(listed.map((l) => `${l.Name}\n`).join(''));
  else if (opts.format === 'json') process.stdout.write(JSON.stringify(listed) + '\n');
  else
    process.stdout.write(
      renderTable([['NAME', 'STATUS', 'CONFIG FILES'], ...listed.map((l) => [l.Name, l.Status, l.ConfigFiles])]),
    );
}

/** The states of the stack's containers; undefined (after a warning) when its records cannot be read. */
async function countedStates(project: string): Promise<string[] | undefined> {
  try {
    return (await containerStatus(project)).map((r) => (r.paused ? 'paused' : r.state));
  } catch (err) {
    // One damaged stack does not hide the others.
    process.stderr.write(`warning: stack ${project} left out: ${(await renderError(err)).text.trimEnd()}\n`);
    return undefined;
  }
}

/** `running(2)`, `exited(1), running(2)`: compose's combinedStatus. */
export function combinedStatus(states: string[]): string {
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts.keys()]
    .sort()
    .map((s) => `${s}(${counts.get(s)})`)
    .join(', ');
}

/** compose reads `--filter name=X` as docker's filters do: the name matches X as a regular expression. */
function nameFilters(filters: string[]): (name: string) => boolean {
  const patterns = filters.map((f) => {
    const eq = f.indexOf('=');
    const key = eq < 0 ? f : f.slice(0, eq);
    if (eq < 0 || key !== 'name') throw new UsageError(`--filter ${f}: stack ls filters by name only (name=REGEX)`);
    try {
      return new RegExp(f.slice(eq + 1));
    } catch {
      throw new UsageError(`--filter ${f}: not a regular expression`);
    }
  });
  // Like docker's filters: several values of one key match when any does.
  return (name) => patterns.length === 0 || patterns.some((p) => p.test(name));
}
