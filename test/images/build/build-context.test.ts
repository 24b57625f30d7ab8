import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  contextChecksum,
  matchSource,
  openContext,
  walkContext,
  type ReadFiles,
} from '../../../images/build/build-context.js';

let ctxDir: string;
beforeEach(async () => {
  ctxDir = await fs.mkdtemp(path.join(os.tmpdir(), 'stk-context-'));
  const files: Record<string, string> = {
    Dockerfile: 'FROM scratch\n',
    'src/app.js': 'console.log(1)\n',
    'src/util.js': 'export {}\n',
    'src/notes.md': '# notes\n',
    'docs/guide.md': 'guide\n',
    'vendor/keep.txt': 'keep\n',
    'vendor/drop.txt': 'drop\n',
    'secret.env': 'TOKEN=x\n',
  };
  for (const [p, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(ctxDir, p)), { recursive: true });
    await fs.writeFile(path.join(ctxDir, p), text);
  }
  await fs.writeFile(path.join(ctxDir, '.dockerignore'), '*.env\nvendor\n!vendor/keep.txt\n**/*.md\n');
});
afterEach(async () => {
  await fs.rm(ctxDir, { recursive: true, force: true });
});

const open = () => openContext(ctxDir, path.join(ctxDir, 'Dockerfile'));

describe('build context', () => {
  it('matches COPY sources with wildcards, leaving out what .dockerignore excludes', async () => {
    const ctx = await open();
    expect(await matchSource(ctx, 'src/*.js')).toEqual(['src/app.js', 'src/util.js']);
    expect(await matchSource(ctx, './src')).toEqual(['src']);
    expect(await matchSource(ctx, '.')).toEqual(['']);
    expect(await matchSource(ctx, 'vendor/keep.txt')).toEqual(['vendor/keep.txt']);
  });

  it('names the .dockerignore line that excludes a source, or says it is missing', async () => {
    const ctx = await open();
    await expect(matchSource(ctx, 'secret.env')).rejects.toThrow(
      `secret.env is excluded by ${path.join(ctxDir, '.dockerignore')} line 1: *.env`,
    );
    await expect(matchSource(ctx, 'nope/*.js')).rejects.toThrow(`nope/*.js is not in the build context ${ctxDir}`);
    await expect(matchSource(ctx, '../outside')).rejects.toThrow('../outside is outside the build context');
  });

  it('walks a folder without the ignored files but with the re-included ones', async () => {
    const ctx = await open();
    expect(await walkContext(ctx, '')).toEqual([
      '',
      '.dockerignore',
      'Dockerfile',
      'docs',
      'src',
      'src/app.js',
      'src/util.js',
      'vendor/keep.txt',
    ]);
  });

  it('prefers <Dockerfile>.dockerignore beside the Dockerfile', async () => {
    await fs.writeFile(path.join(ctxDir, 'Dockerfile.dockerignore'), 'src\n');
    const ctx = await open();
    await expect(matchSource(ctx, 'src/app.js')).rejects.toThrow(/Dockerfile\.dockerignore line 1: src/);
    expect(await matchSource(ctx, 'secret.env')).toEqual(['secret.env']);
  });

  // An ignore file that is there but cannot be read must stop the build: taken as absent, the
  // files it keeps out (secret.env here) would go into the image without a word.
  it('refuses a .dockerignore it cannot read, naming it, instead of sending what it excludes', async () => {
    await fs.rm(path.join(ctxDir, '.dockerignore'));
    await fs.mkdir(path.join(ctxDir, '.dockerignore'));
    await expect(open()).rejects.toThrow(
      new RegExp(`cannot read ${path.join(ctxDir, '.dockerignore').replace(/[.]/g, '\\.')} \\(EISDIR\\)`),
    );
    // Nor does an unreadable <Dockerfile>.dockerignore fall back to the context's own.
    await fs.rmdir(path.join(ctxDir, '.dockerignore'));
    await fs.writeFile(path.join(ctxDir, '.dockerignore'), '*.env\n');
    await fs.symlink('Dockerfile.dockerignore', path.join(ctxDir, 'Dockerfile.dockerignore'));
    await expect(open()).rejects.toThrow(/Dockerfile\.dockerignore \(ELOOP\)/);
  });

  it('takes a dangling <Dockerfile>.dockerignore link as absent, as a missing one', async () => {
    await fs.symlink('nowhere', path.join(ctxDir, 'Dockerfile.dockerignore'));
    const ctx = await open();
    await expect(matchSource(ctx, 'secret.env')).rejects.toThrow(/\.dockerignore line 1: \*\.env/);
  });

  it('changes the checksum when content or mode changes, not when an ignored file does', async () => {
    const ctx = await open();
    const before = await contextChecksum(ctx, ['src']);
    await fs.writeFile(path.join(ctxDir, 'src/notes.md'), 'edited, but ignored\n');
    expect(await contextChecksum(ctx, ['src'])).toBe(before);
    await fs.chmod(path.join(ctxDir, 'src/app.js'), 0o755);
    const afterMode = await contextChecksum(ctx, ['src']);
    expect(afterMode).not.toBe(before);
    await fs.writeFile(path.join(ctxDir, 'src/app.js'), 'console.log(2)\n');
    expect(await contextChecksum(ctx, ['src'])).not.toBe(afterMode);
  });

  it('keeps the bytes and lstat of each file it read, by full path, when asked', async () => {
    const ctx = await open();
    const read: ReadFiles = new Map();
    const sum = await contextChecksum(ctx, ['src'], read);
    expect(sum).toBe(await contextChecksum(ctx, ['src']));
    expect([...read.keys()].sort()).toEqual(['src/app.js', 'src/util.js'].map((p) => path.join(ctxDir, p)));
    const app = read.get(path.join(ctxDir, 'src/app.js'));
    expect(app!.bytes.toString()).toBe('console.log(1)\n');
    expect(app!.stat.ino).toBe((await fs.lstat(path.join(ctxDir, 'src/app.js'))).ino);
  });
});
