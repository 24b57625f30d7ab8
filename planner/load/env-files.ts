// Stage: `env_file` of services, folded into `environment` as docker compose does: the files
// in order (a later file overrides an earlier one), then `environment` over them. Paths are
// relative to the project folder (those from an included stack or an extended file were
// already made absolute). A missing file is an error at its `env_file` entry unless it says
// `required: false`; problems inside a file are located in that file. `${VAR}` in a file
// sees the project environment first, then the service's `environment`, then the variables
// set earlier in the files. `format: raw` takes every KEY=VALUE line literally.

import type { Diagnostic } from '../../model/diagnostics.js';
import { parseDotenv, type Vars } from './dotenv.js';
import { layeredEnv, type Env } from './interpolate.js';
import { absPath, displayPath, isObj, readSource, type LoadContext, type Obj } from './load-context.js';
import { diagAtPath, type PathSeg, type SourceSet } from './source-map.js';

interface EnvFileEntry {
  path: string;
  required: boolean;
  format?: string;
  at: PathSeg[];
}

function envFileEntries(service: Obj, base: PathSeg[]): EnvFileEntry[] {
  const v = service.env_file;
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : [];
  return list.flatMap((e, i): EnvFileEntry[] => {
    const at = typeof v === 'string' ? [...base, 'env_file'] : [...base, 'env_file', i];
    if (typeof e === 'string') return [{ path: e, required: true, at }];
    if (!isObj(e) || typeof e.path !== 'string') return [];
    return [
      {
        path: e.path,
        required: e.required !== false,
        ...(typeof e.format === 'string' ? { format: e.format } : {}),
        at,
      },
    ];
  });
}

/** `environment` as written, entries without a value looked up in the project environment. */
function ownEnvironment(v: unknown, env: Env): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (Array.isArray(v)) {
    for (const entry of v.map(String)) {
      const eq = entry.indexOf('=');
      if (eq < 0) out[entry] = env[entry];
      else out[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
  } else if (isObj(v)) {
    for (const [k, value] of Object.entries(v)) out[k] = value === null || value === undefined ? env[k] : String(value);
  }
  return out;
}

/** Replaces `environment` of every service that has `env_file` by the combined mapping. */
export function applyEnvFiles(
  ctx: LoadContext,
  doc: Obj,
  projectDir: string,
  env: Env,
  files: SourceSet,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const services = isObj(doc.services) ? doc.services : {};
  for (const [name, service] of Object.entries(services)) {
    if (!isObj(service) || service.env_file === undefined) continue;
    const own = ownEnvironment(service.environment, env);
    const lookup = layeredEnv(env, own);
    const vars: Vars = {};
    for (const entry of envFileEntries(service, ['services', name])) {
      const abs = absPath(projectDir, entry.path);
      const source = readSource(ctx, abs);
      if (source === undefined) {
        if (entry.required)
          out.push(
            diagAtPath(
              files,
              entry.at,
              `env file ${displayPath(ctx, abs)} of service "${name}" not found; create it, fix the path (relative to the project folder) or mark it "required: false"`,
            ),
          );
        continue;
      }
      if (entry.format !== undefined && entry.format !== 'raw') {
        out.push(
          diagAtPath(
            files,
            entry.at,
            `unsupported env_file format "${entry.format}" for service "${name}"; leave it out (the .env syntax) or use "raw"`,
          ),
        );
        continue;
      }
      out.push(...source.diagnostics);
      if (source.text === undefined) continue;
      out.push(
        ...parseDotenv(
          {
            path: displayPath(ctx, abs),
            text: source.text,
            lookup,
            ...(entry.format === 'raw' ? { format: 'raw' as const } : {}),
          },
          vars,
        ),
      );
    }
    const environment: Record<string, string | null> = { ...vars };
    // `environment` wins; an entry there with no value anywhere unsets the variable, as in compose.
    for (const [k, v] of Object.entries(own)) {
      if (v === undefined) delete environment[k];
      else environment[k] = v;
    }
    service.environment = environment;
    // Folded: normalize must not read the files again.
    delete service.env_file;
  }
  return out;
}
