// Stage 1: YAML text → document with source positions. Syntax errors become diagnostics
// located at the offending character; later stages read positions through source-map.ts.

import { isScalar, LineCounter, parseDocument, type Document, type ScalarTag } from 'yaml';
import type { Diagnostic } from '../../model/diagnostics.js';
import { diagAt, offsetPos, type SourceFile } from './source-map.js';
import { walkYaml } from './walk-yaml.js';

export interface ParsedFile {
  file: SourceFile;
  diagnostics: Diagnostic[];
}

function cleanMessage(message: string): string {
  const text = message
    .split('\n')[0]!
    .replace(/ at line \d+, column \d+:?$/, '')
    .trim();
  return `YAML syntax error: ${text.charAt(0).toLowerCase()}${text.slice(1)}`;
}

/**
 * Integers written with a leading zero are octal, as docker compose's Go YAML parser reads
 * them (`mode: 0440` is 288, `mode: 511` stays 511); YAML 1.2's core schema alone would
 * read 0440 as 440. Tried before the core schema's own int tags.
 */
const goOctalInt: ScalarTag = {
  identify: (value) => typeof value === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:int',
  test: /^0[0-7]+$/,
  resolve: (text) => parseInt(text, 8),
};

const DUPLICATE_KEY = cleanMessage('Map keys must be unique');

/**
 * Keys written twice in one mapping, each at the repeated key. yaml's own check
 * (`uniqueKeys: true`) compares every key with every earlier one of its mapping, which made
 * a file with 10,000 services take seconds per megabyte; this is one set per mapping.
 */
function duplicateKeys(doc: Document): number[] {
  const at: number[] = [];
  walkYaml(doc, {
    map(map) {
      const seen = new Set<unknown>();
      for (const { key } of map.items) {
        // Scalars compare by value, as yaml's check does; other keys by identity.
        const id = isScalar(key) ? key.value : key;
        if (seen.has(id)) at.push(isScalar(key) && key.range ? key.range[0] : (map.range?.[0] ?? 0));
        seen.add(id);
      }
    },
  });
  return at;
}

export function parseYaml(path: string, text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    merge: true,
    prettyErrors: false,
    uniqueKeys: false, // checked by duplicateKeys, in linear time
    keepSourceTokens: false,
    customTags: (tags) => [goOctalInt, ...tags],
  });
  const file: SourceFile = { path, text, doc, lineCounter };
  const diagnostics = doc.errors.map((err) => diagAt(file, offsetPos(file, err.pos[0]), cleanMessage(err.message)));
  diagnostics.push(...duplicateKeys(doc).map((offset) => diagAt(file, offsetPos(file, offset), DUPLICATE_KEY)));
  return { file, diagnostics };
}
