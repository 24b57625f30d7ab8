// What `stack convert` does (loaded only when it runs; see convert.ts): load the stack,
// read what the pure converter needs from disk (config and secret files, the digests of
// built images in the store), convert, then print or write the manifests and the warnings.

import { checkOutputFolder, writeOutputFile } from '../output-files.js';
import fs from 'node:fs';
import { sortDiagnostics, StackFileError, type Diagnostic } from '../../model/diagnostics.js';
import type { Stack } from '../../model/types.js';
import { convertToKubernetes } from '../../convert/kubernetes/convert-stack.js';
import type { ConvertOptions, ConvertWarning, PublishAs } from '../../convert/kubernetes/convert-types.js';
import { manifestFileName, manifestStream, objectYaml } from '../../convert/kubernetes/manifest-yaml.js';
import { findImage } from '../../images/image-store.js';
import { diagnosticAtPath } from '../../planner/load/locate-in-text.js';
import { renderDiagnostics } from '../render-diagnostics.js';
import { loadStackFiles, UsageError, type GlobalOptions } from '../stack-file.js';
import { writeHelmChart } from './convert-helm-action.js';

export interface ConvertCommandOptions {
  format: string;
  output?: string;
  publish: string;
  registry?: string;
  volumeSize: string;
  strict?: boolean;
}

const PUBLISH: Record<string, PublishAs> = { loadbalancer: 'LoadBalancer', nodeport: 'NodePort' };

function fileContents(stack: Stack): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const o of [...stack.configs, ...stack.secrets])
    if (o.file !== undefined && !o.external) {
      try {
        out[o.file] = fs.readFileSync(o.file);
      } catch {
        // The converter warns about a file it was not given.
      }
    }
  return out;
}

/** The manifest digest the store keeps for each image stack builds (what `stack push` sends). */
async function builtImageDigests(stack: Stack): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const s of stack.services.filter((x) => x.build)) {
    const info = await findImage(s.image).catch(() => undefined);
    if (info?.manifest) out[s.image] = info.manifest;
  }
  return out;
}

function located(warnings: ConvertWarning[]): Diagnostic[] {
  const texts = new Map<string, string | undefined>();
  const textOf = (file: string) => {
    if (!texts.has(file)) texts.set(file, fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined);
    return texts.get(file);
  };
  return sortDiagnostics(warnings.map((w) => diagnosticAtPath(textOf(w.pos.file), w.path, w.pos, w.message)));
}

/** The warnings as the loader's diagnostics look, with a summary that says they are warnings. */
function showWarnings(diagnostics: Diagnostic[]): void {
  if (diagnostics.length === 0) return;
  const lines = renderDiagnostics(diagnostics).split('\n').slice(0, -1);
  const n = diagnostics.length;
  lines.push(`${n} ${n === 1 ? 'thing' : 'things'} of the stack not carried over (--strict makes them errors)`);
  process.stderr.write(
    lines.map((l, i) => (/^\S/.test(l) && i < lines.length - 1 ? `warning: ${l}` : l)).join('\n') + '\n',
  );
}

export async function convert(globals: GlobalOptions, opts: ConvertCommandOptions): Promise<void> {
  if (opts.format !== 'kubernetes' && opts.format !== 'helm')
    throw new UsageError(`unknown format "${opts.format}"; use kubernetes or helm`);
  if (opts.format === 'helm' && !opts.output) throw new UsageError('--format helm writes a chart folder: give -o DIR');
  const publishAs = PUBLISH[opts.publish.toLowerCase()];
  if (!publishAs) throw new UsageError(`--publish takes LoadBalancer or NodePort, not "${opts.publish}"`);
  const stack = loadStackFiles(globals, {});
  const options: Partial<ConvertOptions> = {
    publishAs,
    volumeSize: opts.volumeSize,
    fileContents: fileContents(stack),
    imageDigests: await builtImageDigests(stack),
    ...(opts.registry ? { registry: opts.registry.replace(/\/+$/, '') } : {}),
  };
  if (opts.format === 'helm') {
    // Checked before anything is written: --strict leaves no half chart behind.
    const first = convertToKubernetes(stack, options);
    if (first.errors.length) throw new StackFileError(located(first.errors));
    const strictProblems = located(first.warnings);
    if (opts.strict && strictProblems.length) throw new StackFileError(strictProblems);
    const chart = writeHelmChart(globals, opts.output!, options);
    showWarnings(located(chart.warnings));
    const fixed = chart.fixed.length
      ? `; fixed values (not a number field or not in the manifests): ${chart.fixed.join(', ')}`
      : '';
    process.stderr.write(`wrote a chart of ${chart.files} files to ${opts.output}${fixed}\n`);
    return;
  }
  const converted = convertToKubernetes(stack, options);
  if (converted.errors.length) throw new StackFileError(located(converted.errors));
  const diagnostics = located(converted.warnings);
  if (opts.strict && diagnostics.length) throw new StackFileError(diagnostics);
  showWarnings(diagnostics);
  if (!opts.output) {
    process.stdout.write(manifestStream(converted.objects));
    return;
  }
  checkOutputFolder(opts.output);
  for (const o of converted.objects) writeOutputFile(opts.output, manifestFileName(o), objectYaml(o));
  process.stderr.write(`wrote ${converted.objects.length} manifests to ${opts.output}\n`);
}
