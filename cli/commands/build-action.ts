// What `stack build` does (loaded only when it runs; see build.ts).

import { buildStackImages } from '../build-images.js';
import { buildProgressMode } from '../build-progress.js';
import { EXIT } from '../errors.js';
import { loadStackFiles, UsageError, type GlobalOptions } from '../stack-file.js';
import { traceMark } from '../../store/trace-marks.js';

export interface BuildOptions {
  /** commander's name for --no-cache (false when given). */
  cache?: boolean;
  pull?: boolean;
  buildArg?: string[];
  progress?: string;
}

/** `--build-arg K=V` entries; a bare `K` takes the environment's value and is left out when unset (docker's rule). */
export function parseBuildArgs(entries: string[], env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const key = eq < 0 ? entry : entry.slice(0, eq);
    if (key === '') throw new UsageError(`--build-arg takes KEY=VALUE or KEY, not "${entry}"`);
    const value = eq < 0 ? env[key] : entry.slice(eq + 1);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

export async function build(globals: GlobalOptions, opts: BuildOptions, services: string[]): Promise<number> {
  traceMark('cli: build action');
  const progress = buildProgressMode(opts.progress);
  const buildArgs = parseBuildArgs(opts.buildArg ?? []);
  const stack = loadStackFiles(globals);
  traceMark('cli: stack file loaded');
  const known = new Set(stack.services.map((s) => s.name));
  const unknown = services.filter((s) => !known.has(s));
  if (unknown.length > 0) throw new UsageError(`no such service: ${unknown.join(', ')}`);
  const wanted = services.length > 0 ? services : [...known];
  if (!stack.services.some((s) => wanted.includes(s.name) && s.build)) {
    process.stderr.write(
      `nothing to build: ${services.length > 0 ? 'these services have' : 'no service has'} a "build" section\n`,
    );
    return EXIT.ok;
  }
  await buildStackImages(stack, {
    mode: 'always',
    wanted,
    progress,
    overrides: { noCache: opts.cache === false, pull: opts.pull === true, buildArgs },
  });
  traceMark('cli: build done');
  return EXIT.ok;
}
