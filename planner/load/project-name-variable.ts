// COMPOSE_PROJECT_NAME for interpolation: compose-go puts the project's name into the
// environment before it interpolates (`container_name: ${COMPOSE_PROJECT_NAME}-app`), unless
// the environment has one already. The name is -p, else the main files' top-level `name:`
// (itself interpolated, the last file that sets it wins), else the folder's name
// normalised. Worked out only when a value asks for it: most files never do, and finding the
// file's `name:` means parsing the main files once more.

import { basename } from 'node:path';
import { parseDocument } from 'yaml';
import { interpolateString, layeredEnv, type Env } from './interpolate.js';
import { normalizeProjectName } from './project-name.js';
import { sourceText, type SourceData } from './source-text.js';

const VARIABLE = 'COMPOSE_PROJECT_NAME';

function nameInFiles(texts: readonly SourceData[], env: Env): string | undefined {
  let name: string | undefined;
  for (const data of texts) {
    const { text } = sourceText('', data);
    if (text === undefined) continue;
    const value: unknown = parseDocument(text).get('name');
    if (typeof value !== 'string') continue;
    try {
      name = interpolateString(value, env);
    } catch {
      // The interpolation stage reports it where it is written.
    }
  }
  return name;
}

/** `env` with COMPOSE_PROJECT_NAME answered lazily when it does not set it. */
export function withProjectNameVariable(
  env: Env,
  given: string | undefined,
  mainTexts: readonly SourceData[],
  projectDir: string,
): Env {
  if (env[VARIABLE] !== undefined) return env;
  let cached: string | undefined;
  const name: Env = {};
  Object.defineProperty(name, VARIABLE, {
    enumerable: true,
    get: () => (cached ??= given ?? nameInFiles(mainTexts, env) ?? normalizeProjectName(basename(projectDir))),
  });
  return layeredEnv(name, env);
}
