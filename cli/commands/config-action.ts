// What `stack config` does (loaded only when it runs; see config.ts): the file resolved
// and printed in canonical Compose form, or one of its lists (--services, --volumes), or
// the config hash of services (--hash), or nothing but validation (-q); or, without a
// full load, the interpolation environment (--environment), the variables the files use
// (--variables), or the files merged as written (--no-interpolate, --no-normalize).

import fs from 'node:fs';
import YAML from 'yaml';
import { composeView } from '../../planner/load/compose-view.js';
import { serviceConfigHash } from '../../model/hash.js';
import type { Stack } from '../../model/types.js';
import {
  loadStackFiles,
  readStdin,
  resolveProject,
  STDIN_FILE,
  UsageError,
  type GlobalOptions,
} from '../stack-file.js';
import { renderAsWritten } from './config-as-written.js';

export interface ConfigOptions {
  format: string;
  quiet?: boolean;
  services?: boolean;
  volumes?: boolean;
  networks?: boolean;
  images?: boolean;
  /** Every profile the file defines, enabled or not. */
  profiles?: boolean;
  /** -o FILE */
  output?: string;
  /** `*` or a comma-separated list of services. */
  hash?: string;
  /** The variables interpolation sees, KEY=VALUE. */
  environment?: boolean;
  /** The variables the files use, with their defaults. */
  variables?: boolean;
  /** Commander's `--no-interpolate` / `--no-normalize`: false when given. */
  interpolate?: boolean;
  normalize?: boolean;
}

/** `service hash` lines, as `docker compose config --hash` prints them. */
function hashLines(stack: Stack, which: string): string[] {
  const wanted =
    which === '*'
      ? stack.services.map((s) => s.name)
      : which
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  const unknown = wanted.filter((w) => !stack.services.some((s) => s.name === w));
  if (unknown.length)
    throw new UsageError(
      `no such service: ${unknown.join(', ')}; the file has ${stack.services.map((s) => s.name).join(', ') || 'no services'}`,
    );
  return stack.services.filter((s) => wanted.includes(s.name)).map((s) => `${s.name} ${serviceConfigHash(s)}`);
}

/** The text `stack config` prints for a loaded stack (also used by the conformance tests). */
export function renderConfig(stack: Stack, opts: ConfigOptions): string {
  if (opts.services) return stack.services.map((s) => `${s.name}\n`).join('');
  if (opts.volumes) return stack.volumes.map((v) => `${v.key}\n`).join('');
  if (opts.networks) return stack.networks.map((n) => `${n.key}\n`).join('');
  if (opts.images) return stack.services.map((s) => `${s.image}\n`).join('');
  if (opts.hash !== undefined)
    return hashLines(stack, opts.hash)
      .map((l) => `${l}\n`)
      .join('');
  const doc = composeView(stack);
  if (opts.format === 'json') return `${JSON.stringify(doc, null, 2)}\n`;
  if (opts.format !== 'yaml') throw new UsageError(`unknown format "${opts.format}"; use yaml or json`);
  // YAML 1.1 quoting: a label "yes" must stay a string for compose's YAML 1.1 reader.
  return YAML.stringify(doc, { lineWidth: 0, version: '1.1' });
}

/** The text of each stack file, in order (stdin for `-f -`). */
function fileTexts(files: readonly string[]): string[] {
  return files.map((f) => (f === STDIN_FILE ? readStdin() : fs.readFileSync(f)).toString('utf8'));
}

export async function config(globals: GlobalOptions, opts: ConfigOptions): Promise<void> {
  if (opts.environment || opts.variables || opts.interpolate === false || opts.normalize === false) {
    const project = resolveProject(globals);
    const text = renderAsWritten(fileTexts(project.files), project.env, opts);
    if (opts.output !== undefined) fs.writeFileSync(opts.output, text);
    else process.stdout.write(text);
    return;
  }
  // --profiles: every service counts, whichever profiles are active.
  const stack = loadStackFiles(opts.profiles ? { ...globals, profile: ['*'] } : globals, {});
  if (opts.quiet) return;
  const text = opts.profiles
    ? [...new Set(stack.services.flatMap((s) => s.profiles))]
        .sort()
        .map((p) => `${p}\n`)
        .join('')
    : renderConfig(stack, opts);
  if (opts.output !== undefined) fs.writeFileSync(opts.output, text);
  else process.stdout.write(text);
}
