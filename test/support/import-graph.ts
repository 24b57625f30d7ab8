// The imports of every source file of the project, read from the text: static imports,
// re-exports and dynamic `import('…')`, each with whether it is type-only (erased by
// tsc, so it costs nothing at run time and cannot touch the kernel).

import fs from 'node:fs';
import path from 'node:path';

export interface ImportEdge {
  /** Importing file, relative to the repo root (`cli/main.ts`). */
  from: string;
  /** A repo file (`model/plan.ts`) for a relative import, else the specifier (`node:fs`, `koffi`). */
  to: string;
  typeOnly: boolean;
  line: number;
}

const IMPORT = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?'([^']+)'|import\(\s*'([^']+)'\s*\)/gm;

export function sourceFiles(root: string, folders: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (rel.endsWith('.ts')) out.push(rel);
    }
  };
  for (const f of folders) if (fs.existsSync(path.join(root, f))) walk(f);
  return out.sort();
}

export function importsOf(root: string, file: string): ImportEdge[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const edges: ImportEdge[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4];
    const line = text.slice(0, m.index).split('\n').length;
    const to = spec.startsWith('.')
      ? path.normalize(path.join(path.dirname(file), spec)).replace(/\.js$/, '.ts')
      : spec;
    edges.push({ from: file, to, typeOnly: Boolean(m[2]) && m[1] === 'import', line });
  }
  return edges;
}
