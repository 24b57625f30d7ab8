// What every loader stage shares while one stack is loaded: how to read a file (the CLI
// reads from disk, tests from a map; the planner itself never touches the filesystem), how
// to name a file in a diagnostic, and where problems and warnings go. Also the first two
// stages for one file: parse YAML with positions, interpolate, convert to plain values.

import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { Diagnostic } from '../../model/diagnostics.js';
import { interpolateDocument, type Env } from './interpolate.js';
import { parseYaml } from './parse-yaml.js';
import { NeedsFullLoad, quickLoad } from './parse-yaml-quick.js';
import { sourceText, type SourceData, type SourceText } from './source-text.js';
import type { Origin, SourceFile } from './source-map.js';
import { diagAt, offsetPos } from './source-map.js';
import { yamlToJs, type ResetTag } from './yaml-to-js.js';

/** Reads a file by absolute path (bytes, or text in tests); undefined when it does not exist or cannot be read. */
export type ReadFile = (absPath: string) => SourceData | undefined;

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface LoadContext {
  readFile: ReadFile;
  /** Folder relative file names are shown from. */
  cwd: string;
  /** Texts given directly (the main stack files), by absolute path. */
  given: Map<string, { path: string; text: SourceData }>;
  /** Every stack file read so far, for locating diagnostics. */
  files: SourceFile[];
  diagnostics: Diagnostic[];
  /**
   * Problems confined to a line, reported while loading goes on: values whose interpolation
   * failed (they stay as written) and bytes that are not UTF-8. Later stages' diagnostics
   * on those lines are dropped, as they would only repeat the problem.
   */
  lineProblems: Diagnostic[];
  warnings: Diagnostic[];
  /** Load the quick way (parse-yaml-quick.ts): any problem, warning or unusual YAML throws NeedsFullLoad. */
  quick?: boolean;
}

export interface LoadedDocument {
  abs: string;
  file: SourceFile;
  value: Obj;
  resets: ResetTag[];
}

export function displayPath(ctx: LoadContext, abs: string): string {
  return ctx.given.get(abs)?.path ?? (relative(ctx.cwd, abs) || abs);
}

/** A folder as shown in messages: `.` for the folder names are shown from. */
export function displayDir(ctx: LoadContext, abs: string): string {
  return relative(ctx.cwd, abs) || '.';
}

export function absPath(base: string, p: string): string {
  return isAbsolute(p) ? p : resolve(base, p);
}

export const dirOf = (abs: string) => dirname(abs);

/** A diagnostic at where an entry of the loaded tree was written. */
export function diagAtOrigin(
  origin: Origin | undefined,
  message: string,
  prefer: 'key' | 'value' = 'value',
): Diagnostic | undefined {
  if (!origin) return undefined;
  const offset = prefer === 'key' && origin.key !== undefined ? origin.key : origin.value;
  return diagAt(origin.file, offsetPos(origin.file, offset), message);
}

export function report(
  ctx: LoadContext,
  origin: Origin | undefined,
  message: string,
  prefer: 'key' | 'value' = 'value',
  fallback?: string,
): void {
  const d = diagAtOrigin(origin, message, prefer);
  ctx.diagnostics.push(d ?? { file: fallback ?? '(stack)', line: 1, col: 1, message });
}

/** A file the stack names, decoded (source-text.ts); undefined when it cannot be read. */
export function readSource(ctx: LoadContext, abs: string): SourceText | undefined {
  const data = ctx.given.get(abs)?.text ?? ctx.readFile(abs);
  return data === undefined ? undefined : sourceText(displayPath(ctx, abs), data);
}

/**
 * Parse → interpolate → plain values, for one file. Undefined (with diagnostics) when the
 * file cannot be read or parsed, or is not a mapping.
 */
export function loadDocument(ctx: LoadContext, abs: string, env: Env): LoadedDocument | undefined {
  const source = readSource(ctx, abs);
  if (source === undefined) return undefined;
  const { text, diagnostics: encoding } = source;
  if (text === undefined) {
    ctx.diagnostics.push(...encoding);
    return undefined;
  }
  if (ctx.quick) {
    if (encoding.length) throw new NeedsFullLoad('bytes that are not UTF-8');
    const { file, value } = quickLoad(displayPath(ctx, abs), text, env);
    ctx.files.push(file);
    return { abs, file, value, resets: [] };
  }
  ctx.lineProblems.push(...encoding);
  const parsed = parseYaml(displayPath(ctx, abs), text);
  const file = parsed.file;
  ctx.files.push(file);
  let doc: LoadedDocument | undefined;
  if (parsed.diagnostics.length) {
    ctx.diagnostics.push(...parsed.diagnostics);
  } else {
    ctx.lineProblems.push(...interpolateDocument(file, env, ctx.warnings));
    const converted = yamlToJs(file);
    ctx.diagnostics.push(...converted.diagnostics);
    if (converted.diagnostics.length === 0) {
      const value = converted.value ?? {};
      if (isObj(value)) doc = { abs, file, value, resets: converted.resets };
      else ctx.diagnostics.push(diagAt(file, { file: file.path, line: 1, col: 1 }, 'the top level must be a mapping'));
    }
  }
  return doc;
}
