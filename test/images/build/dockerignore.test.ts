// Cases from docker's documentation of .dockerignore and moby/patternmatcher's behaviour.
import { describe, expect, it } from 'vitest';
import { ignoredBy, mayReincludeBelow, parseDockerignore } from '../../../images/build/dockerignore.js';

const ignored = (rules: string, path: string) => ignoredBy(parseDockerignore(rules), path) !== undefined;

describe('.dockerignore', () => {
  it('matches docker documentation examples', () => {
    const rules = '# comment\n*/temp*\n*/*/temp*\ntemp?\n';
    expect(ignored(rules, 'somedir/temporary.txt')).toBe(true);
    expect(ignored(rules, 'somedir/temp')).toBe(true);
    expect(ignored(rules, 'somedir/subdir/temporary.txt')).toBe(true);
    expect(ignored(rules, 'tempa')).toBe(true);
    expect(ignored(rules, 'tempab')).toBe(false);
    expect(ignored(rules, 'temporary.txt')).toBe(false);
    expect(ignored(rules, 'a/b/c/temp.txt')).toBe(false);
  });

  it('lets the last matching line decide, with ! re-including', () => {
    const rules = '*.md\n!README*.md\nREADME-secret.md\n';
    expect(ignored(rules, 'CHANGES.md')).toBe(true);
    expect(ignored(rules, 'README.md')).toBe(false);
    expect(ignored(rules, 'README-public.md')).toBe(false);
    expect(ignored(rules, 'README-secret.md')).toBe(true);
    expect(ignored(rules, 'docs/guide.md')).toBe(false); // `*` does not cross a folder
  });

  it('spans folders with ** and matches everything inside a matched folder', () => {
    expect(ignored('**/*.go', 'a/b/c.go')).toBe(true);
    expect(ignored('**/*.go', 'c.go')).toBe(true);
    expect(ignored('node_modules', 'node_modules/x/index.js')).toBe(true);
    expect(ignored('docs/**', 'docs/a/b.txt')).toBe(true);
    expect(ignored('docs/**', 'docsx/a')).toBe(false);
  });

  it('treats a leading slash, ./ and .. like docker does (relative to the context root)', () => {
    expect(ignored('/build', 'build/out.o')).toBe(true);
    expect(ignored('./build/', 'build')).toBe(true);
    expect(ignored('a/../b', 'b')).toBe(true);
  });

  it('supports character classes, negated classes and escapes', () => {
    expect(ignored('file[0-9].txt', 'file7.txt')).toBe(true);
    expect(ignored('file[^0-9].txt', 'file7.txt')).toBe(false);
    expect(ignored('file[^0-9].txt', 'filex.txt')).toBe(true);
    expect(ignored('star\\*', 'star*')).toBe(true);
    expect(ignored('star\\*', 'starx')).toBe(false);
  });

  it('names the line that ignores a path, for error messages', () => {
    const p = ignoredBy(parseDockerignore('\n# x\n*.log\n'), 'debug.log');
    expect(p).toMatchObject({ line: 3, text: '*.log' });
  });

  it('says when an ignored folder must still be walked for a re-included file', () => {
    const rules = parseDockerignore('vendor\n!vendor/keep.txt\n');
    expect(ignored('vendor\n!vendor/keep.txt\n', 'vendor/keep.txt')).toBe(false);
    expect(ignored('vendor\n!vendor/keep.txt\n', 'vendor/other.txt')).toBe(true);
    expect(mayReincludeBelow(rules, 'vendor')).toBe(true);
    expect(mayReincludeBelow(rules, 'build')).toBe(false);
    expect(mayReincludeBelow(parseDockerignore('x\n!**/keep'), 'x')).toBe(true);
  });
});
