// A diagnostic at a key path of a stack file's text, for stages after the load that keep
// no parsed document (`stack convert`'s warnings): the file is parsed again and the path
// located as the loader locates its own problems; a path the file does not have (a value
// from another file, an `extends`) points at `fallback`.

import type { Diagnostic } from '../../model/diagnostics.js';
import type { SourcePos } from '../../model/types.js';
import { parseYaml } from './parse-yaml.js';
import { diagAt, findNode, locate, type PathSeg } from './source-map.js';

export function diagnosticAtPath(
  text: string | undefined,
  path: readonly PathSeg[],
  fallback: SourcePos,
  message: string,
): Diagnostic {
  if (text === undefined) return { ...fallback, message };
  const { file } = parseYaml(fallback.file, text);
  const exact = findNode(file, path.slice(0, 2)) !== undefined;
  return diagAt(file, exact ? locate(file, path, 'key') : fallback, message);
}
