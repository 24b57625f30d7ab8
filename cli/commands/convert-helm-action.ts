// `stack convert --format helm -o DIR`: a chart whose values are the stack's variables. The
// variables are those the stack files name (`$VAR`, `${VAR…}`); the stack is loaded once
// as it is and once per variable with the variable set to a marker, and the pure converter
// (convert/helm/) finds where each lands.

import { checkOutputFolder, writeOutputFile } from '../output-files.js';
import fs from 'node:fs';
import type { ConvertOptions, ConvertWarning } from '../../convert/kubernetes/convert-types.js';
import { convertToHelm, type MarkedLoad } from '../../convert/helm/convert-helm.js';
import { markerOf } from '../../convert/helm/variable-places.js';
import { loadStackFiles, resolveProject, type GlobalOptions } from '../stack-file.js';

/** Variable names a file's text refers to (`$$` is a literal dollar, not a reference). */
export function referencedVariables(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.replace(/\$\$/g, '').matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(m[1]!);
  return [...names].sort();
}

export function writeHelmChart(
  globals: GlobalOptions,
  dir: string,
  options: Partial<ConvertOptions>,
): { warnings: ConvertWarning[]; fixed: string[]; files: number } {
  const texts = resolveProject(globals).files.map((f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : ''));
  const variables = [...new Set(texts.flatMap(referencedVariables))].sort();
  const stack = loadStackFiles(globals, {});
  const marked: MarkedLoad[] = variables.map((variable, i) => {
    const marker = markerOf(i);
    try {
      const loaded = loadStackFiles(globals, {}, { quiet: true, mapEnv: (env) => ({ ...env, [variable]: marker }) });
      return { variable, marker, stack: loaded };
    } catch {
      return { variable, marker }; // e.g. a port: the marker is no number, so the value stays fixed
    }
  });
  const { chart, warnings, fixed } = convertToHelm(stack, marked, options);
  checkOutputFolder(dir);
  for (const [name, content] of Object.entries(chart.files)) writeOutputFile(dir, name, content);
  return { warnings, fixed, files: Object.keys(chart.files).length };
}
