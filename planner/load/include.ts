// Stage: `include`. Each entry loads another stack (one or more files merged like -f), with
// its own project folder (`project_directory`, else the folder of its first file) for
// relative paths and its own environment (`env_file`, else the `.env` of that folder; the
// including environment wins over it, as in compose). Its services, networks, volumes,
// secrets and configs are copied into the including file. A name defined both there and
// here is an error unless both definitions are identical (compose ≤ 2.40; newer compose-go
// lets the including file override, but the compose spec and docs still call it a conflict).
// Runs per file before `extends` and before the file is merged with the others.

import { isDeepStrictEqual } from 'node:util';
import { parseDotenv, type Vars } from './dotenv.js';
import { layeredEnv, type Env } from './interpolate.js';
import {
  absPath,
  dirOf,
  displayDir,
  displayPath,
  isObj,
  readSource,
  report,
  type LoadContext,
  type LoadedDocument,
  type Obj,
} from './load-context.js';
import { resolveDocumentPaths } from './relative-paths.js';
import { copyOrigin, originOf, type Origin } from './source-map.js';

/** Loads a whole model (files merged, with their own includes and extends). */
export type LoadModel = (ctx: LoadContext, model: ModelInput) => Obj;

export interface ModelInput {
  /** Absolute paths, merged in order. */
  files: string[];
  projectDir: string;
  env: Env;
  /** Absolute paths of the files including this model, outermost first (cycle detection). */
  chain: string[];
}

const RESOURCES = ['services', 'networks', 'volumes', 'secrets', 'configs', 'models'];
const KIND: Record<string, string> = {
  services: 'service',
  networks: 'network',
  volumes: 'volume',
  secrets: 'secret',
  configs: 'config',
  models: 'model',
};

interface Entry {
  paths: string[];
  projectDirectory?: string;
  envFiles?: string[];
  origin?: Origin;
}

const strings = (v: unknown): string[] | undefined =>
  typeof v === 'string' ? [v] : Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : undefined;

function entries(ctx: LoadContext, doc: LoadedDocument): Entry[] {
  const include = doc.value.include;
  const fileName = doc.file.path;
  if (!Array.isArray(include)) {
    report(
      ctx,
      originOf(doc.value, 'include'),
      '"include" must be a list of files, or of mappings with "path"',
      'value',
      fileName,
    );
    return [];
  }
  const out: Entry[] = [];
  include.forEach((item, i) => {
    const origin = originOf(include, i);
    const m: Obj = isObj(item) ? item : { path: item };
    const paths = strings(m.path);
    const unknown = Object.keys(m).filter((k) => !['path', 'project_directory', 'env_file'].includes(k));
    if (!paths || paths.length === 0)
      return report(ctx, origin, `"include[${i}]" needs "path": a file name or a list of them`);
    if (unknown.length)
      return report(
        ctx,
        originOf(m, unknown[0]!) ?? origin,
        `unknown key "${unknown[0]}" in "include[${i}]"; expected path, project_directory or env_file`,
        'key',
      );
    if (m.project_directory !== undefined && typeof m.project_directory !== 'string')
      return report(ctx, originOf(m, 'project_directory'), `"include[${i}].project_directory" must be a folder name`);
    const envFiles = m.env_file === undefined ? undefined : strings(m.env_file);
    if (m.env_file !== undefined && !envFiles)
      return report(ctx, originOf(m, 'env_file'), `"include[${i}].env_file" must be a file name or a list of them`);
    out.push({
      paths,
      origin,
      ...(typeof m.project_directory === 'string' ? { projectDirectory: m.project_directory } : {}),
      ...(envFiles ? { envFiles } : {}),
    });
  });
  return out;
}

/** The environment of an included model: its env files under the including environment. */
function includedEnv(ctx: LoadContext, entry: Entry, dir: string, projectDir: string, env: Env): Env | undefined {
  const explicit = entry.envFiles !== undefined;
  const files = (entry.envFiles ?? ['.env'])
    .filter((f) => f !== '/dev/null')
    .map((f) => absPath(explicit ? dir : projectDir, f));
  const vars: Vars = {};
  for (const abs of files) {
    const source = readSource(ctx, abs);
    if (source === undefined) {
      if (!explicit) continue;
      report(ctx, entry.origin, `cannot read env file ${displayPath(ctx, abs)} named by this include`);
      return undefined;
    }
    ctx.diagnostics.push(...source.diagnostics);
    if (source.text !== undefined)
      ctx.diagnostics.push(...parseDotenv({ path: displayPath(ctx, abs), text: source.text, lookup: env }, vars));
  }
  return layeredEnv(env, vars);
}

/** Copies the resources of an included model into `doc`; a different definition under the same name is an error. */
function importResources(ctx: LoadContext, doc: LoadedDocument, model: Obj, file: string): void {
  for (const key of RESOURCES) {
    const from = model[key];
    if (!isObj(from)) continue;
    if (!isObj(doc.value[key])) {
      doc.value[key] = {};
      copyOrigin(model, key, doc.value, key);
    }
    const to = doc.value[key] as Obj;
    for (const [name, def] of Object.entries(from)) {
      if (!(name in to)) {
        to[name] = def;
        copyOrigin(from, name, to, name);
      } else if (!isDeepStrictEqual(to[name], def)) {
        report(
          ctx,
          originOf(to, name),
          `${KIND[key]} "${name}" is also defined by the included file ${file}; rename one of them (an included stack's resources cannot be redefined)`,
          'key',
        );
      }
    }
  }
}

/** Applies the `include` section of `doc` (in place) and removes it. */
export function applyIncludes(ctx: LoadContext, doc: LoadedDocument, model: ModelInput, loadModel: LoadModel): void {
  if (doc.value.include === undefined) return;
  for (const entry of entries(ctx, doc)) {
    const files = entry.paths.map((p) => absPath(model.projectDir, p));
    const first = files[0]!;
    const chain = [...model.chain, doc.abs];
    if (chain.includes(first)) {
      const names = [...chain.slice(chain.indexOf(first)), first].map((f) => displayPath(ctx, f));
      report(ctx, entry.origin, `include cycle: ${names.join(' includes ')}`);
      continue;
    }
    const missing = files.find((f) => ctx.readFile(f) === undefined && !ctx.given.has(f));
    if (missing) {
      report(
        ctx,
        entry.origin,
        `cannot read ${displayPath(ctx, missing)}, named by this include; check the path (it is relative to ${displayDir(ctx, model.projectDir)})`,
      );
      continue;
    }
    const projectDir =
      entry.projectDirectory === undefined ? dirOf(first) : absPath(model.projectDir, entry.projectDirectory);
    const env = includedEnv(ctx, entry, model.projectDir, projectDir, model.env);
    if (!env) continue;
    const included = loadModel(ctx, { files, projectDir, env, chain });
    resolveDocumentPaths(included, projectDir);
    importResources(ctx, doc, included, displayPath(ctx, first));
  }
  delete doc.value.include;
}
