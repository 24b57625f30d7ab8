// Stage: `label_file` of services, folded into `labels` as docker compose does: each file
// (one path or a list; relative to the folder of the file that names it, see
// relative-paths.ts) holds KEY=VALUE lines in the .env syntax, a later file overrides an
// earlier one, and the service's own `labels` override them all. A missing file is an
// error at its entry; problems inside a file are located in that file. A file's `${VAR}`
// sees only the labels set before it, as compose-go parses label files with no lookup.

import type { Diagnostic } from '../../model/diagnostics.js';
import { parseDotenv, type Vars } from './dotenv.js';
import { dictOrList } from './coerce.js';
import { absPath, displayPath, isObj, readSource, type LoadContext, type Obj } from './load-context.js';
import { diagAtPath, type SourceSet } from './source-map.js';

/** Replaces `labels` of every service that has `label_file` by the combined mapping. */
export function applyLabelFiles(ctx: LoadContext, doc: Obj, projectDir: string, files: SourceSet): Diagnostic[] {
  const out: Diagnostic[] = [];
  const services = isObj(doc.services) ? doc.services : {};
  for (const [name, service] of Object.entries(services)) {
    if (!isObj(service) || service.label_file === undefined) continue;
    const v = service.label_file;
    const entries: [unknown, (string | number)[]][] =
      typeof v === 'string'
        ? [[v, ['services', name, 'label_file']]]
        : (Array.isArray(v) ? v : []).map((e, i) => [e, ['services', name, 'label_file', i]]);
    const vars: Vars = {};
    for (const [entry, at] of entries) {
      if (typeof entry !== 'string') continue;
      const abs = absPath(projectDir, entry);
      const source = readSource(ctx, abs);
      if (source === undefined) {
        const message = `label file ${displayPath(ctx, abs)} of service "${name}" not found; create it or fix the path (relative to the project folder)`;
        out.push(diagAtPath(files, at, message));
        continue;
      }
      out.push(...source.diagnostics);
      if (source.text !== undefined)
        out.push(...parseDotenv({ path: displayPath(ctx, abs), text: source.text, lookup: {} }, vars));
    }
    service.labels = { ...vars, ...dictOrList(service.labels) };
    // Folded: normalize must not read the files again.
    delete service.label_file;
  }
  return out;
}
