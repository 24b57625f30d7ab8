// What `stack __complete -- WORDS…` prints (loaded only when it runs; see completion.ts):
// one candidate per line. Service names are those of the stack file the words name (-f,
// -p, --project-directory, --env-file, --profile, or the defaults) and of the project's
// containers (a service that left the file still has containers to `logs` or `rm`).
// Nothing here may fail loudly: a broken file or a stack that is not up offers less.

import type { Command } from 'commander';
import { commandTree } from '../completion/command-tree.js';
import { analyse, type GivenGlobals } from '../completion/complete-words.js';
import { FILES_MARK } from '../completion/shell-scripts.js';
import { loadStackFiles, resolveProject, type GlobalOptions } from '../stack-file.js';
import { normalizeProjectName } from '../../planner/load/project-name.js';
import { readState } from '../../store/state-store.js';
import path from 'node:path';

export async function complete(program: Command, words: string[]): Promise<void> {
  const { completion, globals } = analyse(commandTree(program), words.length > 0 ? words : ['']);
  const current = words.at(-1) ?? '';
  let candidates: string[];
  if (completion.kind === 'paths') candidates = [FILES_MARK];
  else if (completion.kind === 'words') candidates = completion.words;
  else candidates = await services(globalOptions(globals));
  const shown = completion.kind === 'paths' ? candidates : candidates.filter((c) => c.startsWith(current));
  if (shown.length > 0) process.stdout.write(`${[...new Set(shown)].join('\n')}\n`);
}

function globalOptions(given: GivenGlobals): GlobalOptions {
  const last = (flag: string) => given.get(flag)?.at(-1);
  const opts: GlobalOptions = {};
  if (given.has('--file')) opts.file = given.get('--file')!;
  if (given.has('--env-file')) opts.envFile = given.get('--env-file')!;
  if (given.has('--profile')) opts.profile = given.get('--profile')!;
  if (last('--project-name')) opts.projectName = last('--project-name')!;
  if (last('--project-directory')) opts.projectDirectory = last('--project-directory')!;
  return opts;
}

async function services(opts: GlobalOptions): Promise<string[]> {
  const names: string[] = [];
  let project = opts.projectName;
  try {
    // The file's warnings go to stderr, which the completion scripts send to /dev/null.
    const stack = loadStackFiles({ ...opts, profile: opts.profile ?? ['*'] }, {});
    names.push(...stack.services.map((s) => s.name));
    project ??= stack.project;
  } catch {
    // a broken or missing file: the containers may still say
  }
  if (!project) project = fallbackProject(opts);
  try {
    if (project) names.push(...(await readState.containers(project)).map((r) => r.spec.service));
  } catch {
    // not up, or not ours to read
  }
  return [...new Set(names)].sort();
}

/** The project named by the folder, when the file did not load. */
function fallbackProject(opts: GlobalOptions): string | undefined {
  try {
    const p = resolveProject(opts);
    return p.projectName ?? normalizeProjectName(path.basename(p.projectDir));
  } catch {
    return undefined;
  }
}
