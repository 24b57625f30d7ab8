// `stack config --environment | --variables | --no-interpolate | --no-normalize`: views of
// the stack files that compose prints without loading them into a project, so a file whose
// variables are not set yet can still be examined.

import YAML from 'yaml';
import type { Env } from '../../planner/load/interpolate.js';
import { mergedAsWritten, parsedAsWritten } from '../../planner/load/as-written.js';
import { variablesUsed } from '../../planner/load/variables-used.js';
import { UsageError } from '../stack-file.js';
import { renderTable } from '../table.js';
import type { ConfigOptions } from './config-action.js';

function variablesText(texts: readonly string[], format: string): string {
  const vars = variablesUsed(parsedAsWritten(texts));
  if (format === 'json') {
    const byName = Object.fromEntries(
      vars.map((v) => [
        v.name,
        { Name: v.name, DefaultValue: v.defaultValue, PresenceValue: v.alternateValue, Required: v.required },
      ]),
    );
    return `${JSON.stringify(byName, null, 2)}\n`;
  }
  return renderTable([
    ['NAME', 'REQUIRED', 'DEFAULT VALUE', 'ALTERNATE VALUE'],
    ...vars.map((v) => [v.name, String(v.required), v.defaultValue, v.alternateValue]),
  ]);
}

export function renderAsWritten(texts: readonly string[], env: Env, opts: ConfigOptions): string {
  if (opts.environment)
    return Object.entries(env)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`)
      .sort()
      .map((l) => `${l}\n`)
      .join('');
  if (opts.variables) return variablesText(texts, opts.format);
  const doc = mergedAsWritten(texts, opts.interpolate === false ? undefined : env);
  if (opts.format === 'json') return `${JSON.stringify(doc, null, 2)}\n`;
  if (opts.format !== 'yaml') throw new UsageError(`unknown format "${opts.format}"; use yaml or json`);
  return YAML.stringify(doc, { lineWidth: 0, version: '1.1' });
}
