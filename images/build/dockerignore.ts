// `.dockerignore`: which files of a build context the build sees, by docker's rules
// (moby/patternmatcher): one pattern per line, `#` comments, `!` re-includes, paths relative
// to the context root (a leading `/` means the same), `*` and `?` never cross a `/`, `**`
// spans any number of folders, and a pattern that matches a folder matches all inside it.
// The last pattern that matches a path decides.

export interface IgnorePattern {
  /** As written (after trimming), for messages: "ignored by .dockerignore line 3: *.md". */
  text: string;
  line: number;
  exclusion: boolean;
  regex: RegExp;
}

export function parseDockerignore(text: string): IgnorePattern[] {
  const patterns: IgnorePattern[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    let p = raw.trim();
    if (p === '' || p.startsWith('#')) return;
    const exclusion = p.startsWith('!');
    if (exclusion) p = p.slice(1).trim();
    p = cleanPath(p);
    if (p === '' || p === '.') return;
    patterns.push({ text: raw.trim(), line: i + 1, exclusion, regex: patternRegex(p) });
  });
  return patterns;
}

/** The pattern that ignores `path` (relative to the context, `/`-separated), if one does. */
export function ignoredBy(patterns: IgnorePattern[], path: string): IgnorePattern | undefined {
  const target = cleanPath(path);
  const parents = parentPaths(target);
  let decided: IgnorePattern | undefined;
  for (const p of patterns) {
    if (parents.some((candidate) => p.regex.test(candidate))) decided = p.exclusion ? undefined : p;
  }
  return decided;
}

/**
 * Whether a folder must be walked though it is ignored: an exception (`!pattern`) may
 * re-include something below it, as docker checks before it skips a folder.
 */
export function mayReincludeBelow(patterns: IgnorePattern[], folder: string): boolean {
  const prefix = cleanPath(folder) + '/';
  return patterns.some((p) => {
    if (!p.exclusion) return false;
    // The pattern's literal start, up to its first wildcard: walking too much only costs time.
    const literal = /^[^*?[\\]*/.exec(cleanPath(p.text.replace(/^!\s*/, '')))![0];
    return literal.startsWith(prefix) || prefix.startsWith(literal);
  });
}

/** `a`, `a/b`, `a/b/c` for `a/b/c`: a pattern that matches a folder matches what is in it. */
function parentPaths(path: string): string[] {
  const parts = path.split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** Go's filepath.Clean for relative, `/`-separated paths, without a leading `/` or `./`. */
export function cleanPath(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

/** A Go filepath.Match pattern (plus `**` spanning folders) as a regular expression over `/`-separated paths. */
export function patternRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      i++;
      if (pattern[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = pattern
          .slice(i + 1, end)
          .replace(/^\^|^!/, '^')
          .replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) re += escapeRegex(pattern[++i]);
    else re += escapeRegex(c);
  }
  return new RegExp(`^${re}$`);
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
