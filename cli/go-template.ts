// The part of Go's text/template that `docker … --format` users write: `{{.Name}}`,
// `{{.A.B}}`, `{{json .}}`, `{{json .Field}}`, with `\t` and `\n` read as tab and newline
// (as docker's formatter does), and `table TEMPLATE` for columns under a header. Anything
// else in braces is refused rather than printed wrong.

import { renderTable } from './table.js';
import { UsageError } from './usage-error.js';

type Part = { text: string } | { path: string[]; json: boolean };

const ACTION = /\{\{\s*(json\s+)?\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)?\s*\}\}/y;

function parse(template: string): Part[] {
  const text = template.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const parts: Part[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open < 0) {
      parts.push({ text: text.slice(i) });
      break;
    }
    if (open > i) parts.push({ text: text.slice(i, open) });
    ACTION.lastIndex = open;
    const m = ACTION.exec(text);
    if (!m) {
      const end = text.indexOf('}}', open);
      throw new UsageError(
        `--format: ${text.slice(open, end < 0 ? undefined : end + 2)} is not supported (only {{.Field}} and {{json .Field}})`,
      );
    }
    parts.push({ path: m[2] ? m[2].split('.') : [], json: !!m[1] });
    i = ACTION.lastIndex;
  }
  return parts;
}

function valueAt(value: unknown, path: string[]): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || !(key in v))
      throw new UsageError(`--format: can't evaluate field ${key}`);
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function show(v: unknown, json: boolean): string {
  if (json) return JSON.stringify(v);
  if (v === null || v === undefined) return '<no value>';
  if (typeof v === 'object')
    return Array.isArray(v) ? `[${v.map((x) => show(x, false)).join(' ')}]` : JSON.stringify(v);
  return String(v);
}

function renderOne(parts: Part[], item: unknown): string {
  return parts.map((p) => ('text' in p ? p.text : show(valueAt(item, p.path), p.json))).join('');
}

/** Each item through the template, one per line; `table …`: tab-separated cells as columns under a header. */
export function renderTemplate(template: string, items: unknown[]): string {
  const table = /^table(\s|$)/.exec(template);
  if (!table) {
    const parts = parse(template);
    return items.map((item) => renderOne(parts, item) + '\n').join('');
  }
  const parts = parse(template.slice(table[0].length).trim());
  const header = parts
    .map((p) => ('text' in p ? p.text : (p.path[p.path.length - 1] ?? '').toUpperCase()))
    .join('')
    .split('\t');
  return renderTable([header, ...items.map((item) => renderOne(parts, item).split('\t'))]);
}
