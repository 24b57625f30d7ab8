// Which edits a develop.watch rule acts on, as compose decides: the path must be under the
// rule's `path`; the rule's `ignore` patterns, the build context's .dockerignore (when the
// path is in the context) and the editors' own litter leave it out; `include`, when given,
// lets only matching files in. Patterns read as .dockerignore lines do (images/build).

import path from 'node:path';
import type { WatchRule } from '../../../model/develop-watch.js';
import { ignoredBy, parseDockerignore, type IgnorePattern } from '../../../images/build/dockerignore.js';

/** What compose's watch never acts on: version control and editors' swap and backup files. */
const ALWAYS_IGNORED = parseDockerignore(['**/.git', '**/*~', '**/.*.swp', '**/.*.swx', '**/4913'].join('\n'));

export interface ContextIgnore {
  dir: string;
  patterns: IgnorePattern[];
}

export interface RuleMatch {
  rule: WatchRule;
  /** `abs` relative to the rule's path (`/`-separated; '' for the path itself), or undefined when the rule leaves it out. */
  relative(abs: string, folder?: boolean): string | undefined;
  /** Whether nothing under the folder `abs` can matter to the rule (the watcher need not descend). */
  skipsFolder(abs: string): boolean;
  /** Where `abs` goes in the container (sync rules). */
  targetOf(rel: string): string;
}

const posixRel = (from: string, to: string): string | undefined => {
  const rel = path.relative(from, to);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
};

export function ruleMatch(rule: WatchRule, context?: ContextIgnore): RuleMatch {
  const ignore = parseDockerignore(rule.ignore.join('\n'));
  const include = parseDockerignore(rule.include.join('\n'));
  const left = (abs: string, rel: string): boolean => {
    if (rel !== '' && (ignoredBy(ALWAYS_IGNORED, rel) || ignoredBy(ignore, rel))) return true;
    const inContext = context && posixRel(context.dir, abs);
    return !!inContext && ignoredBy(context.patterns, inContext) !== undefined;
  };
  return {
    rule,
    relative(abs, folder = false) {
      const rel = posixRel(rule.path, abs);
      if (rel === undefined || left(abs, rel)) return undefined;
      // Folders pass `include` (a file under one may match); files must match.
      return include.length && !folder && rel !== '' && !ignoredBy(include, rel) ? undefined : rel;
    },
    skipsFolder(abs) {
      const rel = posixRel(rule.path, abs);
      return rel === undefined ? !posixRel(abs, rule.path) : rel !== '' && left(abs, rel);
    },
    targetOf: (rel) => path.posix.join(rule.target ?? '/', rel),
  };
}
