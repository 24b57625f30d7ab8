// Watches the sources of develop.watch rules (chokidar, recursive) and reports each path
// that changed, with whether it is a folder. Folders every rule leaves out (node_modules in
// `ignore`, .git) are not descended into: a big ignored tree costs no watches.

import { watch } from 'chokidar';
import type { RuleMatch } from './rule-match.js';

export interface SourceWatcher {
  ready: Promise<void>;
  close(): Promise<void>;
}

export function watchSources(matches: RuleMatch[], onChange: (abs: string, folder: boolean) => void): SourceWatcher {
  const roots = [...new Set(matches.map((m) => m.rule.path))];
  const watcher = watch(roots, {
    ignoreInitial: true,
    ignored: (p: string) => matches.every((m) => m.skipsFolder(p)),
  });
  for (const event of ['add', 'change', 'unlink'] as const) watcher.on(event, (p: string) => onChange(p, false));
  for (const event of ['addDir', 'unlinkDir'] as const) watcher.on(event, (p: string) => onChange(p, true));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return { ready, close: () => watcher.close() };
}
