// The planner front end: stack file texts in, a validated and normalised Stack out.
// parse YAML → interpolate → merge files → validate (schema, then rules) → normalise.
// Every stage reports all it finds; any problem ends here with one StackFileError that
// carries all diagnostics, sorted. Pure: the CLI reads the files and passes their text.

import { basename } from 'node:path';
import { sortDiagnostics, StackFileError, type Diagnostic } from './diagnostics.js';
import { interpolateDocument, type Env } from './interpolate.js';
import { normalize } from './normalize.js';
import { parseYaml } from './parse-yaml.js';
import { diagAt, diagAtPath, findNode, locate, type SourceFile } from './source-map.js';
import type { Stack } from './types.js';
import { validateRules } from './validate-rules.js';
import { validateSchema } from './validate-schema.js';

export interface LoadInput {
  /** Stack files in order; later files override earlier ones. */
  files: { path: string; text: string }[];
  /** `-p NAME`; wins over the file's top-level `name`. */
  projectName?: string;
  /** Folder of the first stack file; its basename is the fallback project name. */
  projectDir: string;
  /** Variables for interpolation and for `environment` entries without a value. */
  env: Env;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Later files override earlier ones: services attribute by attribute, everything else per key. */
function mergeDocs(docs: unknown[]): unknown {
  return docs.reduce((acc, doc) => {
    if (!isObj(acc) || !isObj(doc)) return doc ?? acc;
    const out: Obj = { ...acc };
    for (const [key, value] of Object.entries(doc)) {
      const prev = out[key];
      if ((key === 'services' || key === 'networks' || key === 'volumes') && isObj(prev) && isObj(value)) {
        const merged: Obj = { ...prev };
        for (const [name, v] of Object.entries(value)) {
          merged[name] = key === 'services' && isObj(merged[name]) && isObj(v) ? { ...(merged[name] as Obj), ...v } : v;
        }
        out[key] = merged;
      } else {
        out[key] = value;
      }
    }
    return out;
  });
}

/** Lowercase, only `[a-z0-9_-]` kept (docker compose's normalisation). */
export function normalizeProjectName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

function projectName(input: LoadInput, raw: unknown, files: SourceFile[], diags: Diagnostic[]): string {
  const fromFile = isObj(raw) && typeof raw.name === 'string' ? raw.name : undefined;
  const given = input.projectName ?? fromFile ?? basename(input.projectDir);
  const project = normalizeProjectName(given);
  if (!project) {
    const message = `project name "${given}" has no letters, digits, "-" or "_"; set a top-level "name" or use -p`;
    diags.push(input.projectName === undefined && fromFile !== undefined ? diagAtPath(files, ['name'], message) : diagAt(files[0]!, { file: files[0]!.path, line: 1, col: 1 }, message));
  }
  return project;
}

export function loadStack(input: LoadInput): Stack {
  if (input.files.length === 0) {
    throw new StackFileError([{ file: '(none)', line: 1, col: 1, message: 'no stack file given' }]);
  }
  const parsed = input.files.map((f) => parseYaml(f.path, f.text));
  const syntax = parsed.flatMap((p) => p.diagnostics);
  if (syntax.length) throw new StackFileError(sortDiagnostics(syntax));

  const files = parsed.map((p) => p.file);
  const diags: Diagnostic[] = files.flatMap((f) => interpolateDocument(f, input.env));
  // A value whose interpolation failed is left as written; what later stages say about it
  // on the same line would only repeat the problem.
  const failedLines = new Set(diags.map((d) => `${d.file}:${d.line}`));
  const unlessFailed = (list: Diagnostic[]) => list.filter((d) => !failedLines.has(`${d.file}:${d.line}`));
  const docs = files.map((f) => {
    try {
      return f.doc.toJS({ maxAliasCount: 1000 }) as unknown;
    } catch (e) {
      diags.push(diagAt(f, { file: f.path, line: 1, col: 1 }, `cannot load YAML: ${(e as Error).message}`));
      return undefined;
    }
  });
  const raw = mergeDocs(docs);
  diags.push(...unlessFailed([...validateSchema(raw, files), ...validateRules(raw, files)]));
  const project = projectName(input, raw, files, diags);
  if (diags.length) throw new StackFileError(sortDiagnostics(diags));

  return normalize({
    raw,
    project,
    file: files[0]!.path,
    projectDir: input.projectDir,
    env: input.env,
    servicePos: (name) => {
      const file = files.find((f) => findNode(f, ['services', name])) ?? files[0]!;
      return locate(file, ['services', name], 'key');
    },
  });
}
