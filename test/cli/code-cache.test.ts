// bin/stack.js runs the bundle with a V8 code cache made on an earlier run. A cache is
// only ever used for the bytes it was made from: V8 checks no more than the source's
// length, so a bundle rebuilt to the same size, with its mtime set back, would otherwise
// run the old bundle's bytecode.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { repoRoot } from '../support/stack-cli.js';

const loader = path.join(repoRoot, 'bin/stack.js');

/**
 * Runs `bundle` through the loader as `stack CMD`, the way bin/stack.js runs the CLI;
 * `cacheAtExit`, the source of runBundle's option of that name.
 */
function run(bundle: string, command: string, cacheAtExit?: string): string {
  const options = cacheAtExit ? `, { cacheAtExit: ${cacheAtExit} }` : '';
  const code = `require(${JSON.stringify(loader)}).runBundle(${JSON.stringify(bundle)}, ${JSON.stringify(command)}${options})`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** A bundle whose answer V8 keeps in its bytecode, padded so both answers have one size. */
const bundleText = (answer: string) => `'use strict';\nprocess.stdout.write(${JSON.stringify(answer)});\n`;

describe('bin/stack.js code cache', () => {
  let dir: string;
  let bundle: string;
  const caches = () => fs.readdirSync(path.join(dir, 'code-cache')).sort();

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-code-cache-'));
    bundle = path.join(dir, 'stack.cjs');
    fs.writeFileSync(bundle, bundleText('first'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("makes a command's cache on its first run and uses it on the next", () => {
    expect(run(bundle, 'up')).toBe('first');
    expect(caches()).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.up\.v8$/)]);
    const made = fs.statSync(path.join(dir, 'code-cache', caches()[0]!)).mtimeMs;
    expect(run(bundle, 'up')).toBe('first');
    // used, not made again
    expect(fs.statSync(path.join(dir, 'code-cache', caches()[0]!)).mtimeMs).toBe(made);
  });

  it('never runs a cache of other bytes, even at the same size and mtime', () => {
    expect(run(bundle, 'up')).toBe('first');
    const before = fs.statSync(bundle, { bigint: true });
    const reference = path.join(dir, 'reference');
    fs.writeFileSync(reference, '');
    expect(spawnSync('touch', ['-r', bundle, reference]).status).toBe(0);
    // Rewritten in place (same inode), same length, mtime set back to the nanosecond: only
    // the content, and the ctime, tell.
    fs.writeFileSync(bundle, bundleText('other'));
    expect(spawnSync('touch', ['-r', reference, bundle]).status).toBe(0);
    const after = fs.statSync(bundle, { bigint: true });
    expect([after.ino, after.size, after.mtimeNs]).toEqual([before.ino, before.size, before.mtimeNs]);
    expect(run(bundle, 'up')).toBe('other');
    // each version has its cache, named by its content
    expect(caches()).toHaveLength(2);
  });

  it('writes no cache when the exit is not one to cache from (a supervisor that served nothing)', () => {
    expect(run(bundle, 'supervisor', '() => false')).toBe('first');
    expect(fs.existsSync(path.join(dir, 'code-cache'))).toBe(false);
    expect(run(bundle, 'supervisor', '(code) => code === 0')).toBe('first');
    expect(caches()).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.supervisor\.v8$/)]);
  });

  it('runs a copy of the bundle with the cache of the same bytes', () => {
    expect(run(bundle, 'up')).toBe('first');
    const copy = path.join(dir, 'copy.cjs');
    fs.copyFileSync(bundle, copy);
    fs.renameSync(copy, bundle); // another inode: the memo of the hash no longer vouches for it
    expect(run(bundle, 'up')).toBe('first');
    expect(caches()).toHaveLength(1);
  });

  it('makes the cache again, once, when a run goes down a path the run that made it did not', () => {
    // A bundle that asks for `part` to be covered when its argument says the path was taken.
    fs.writeFileSync(
      bundle,
      "'use strict';\nif (process.env.TAKE_PATH) globalThis[Symbol.for('stack.codeCacheCover')]('build-steps');\nprocess.stdout.write('ran');\n",
    );
    const cacheFile = () =>
      path.join(
        dir,
        'code-cache',
        caches().find((c) => c.endsWith('.build.v8'))!,
      );
    const mtime = () => fs.statSync(cacheFile(), { bigint: true }).mtimeNs;
    const withPath = (taken: boolean) => {
      const code = `require(${JSON.stringify(loader)}).runBundle(${JSON.stringify(bundle)}, 'build')`;
      const env = { ...process.env, TAKE_PATH: taken ? '1' : '' };
      const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', env });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe('ran');
    };
    withPath(false); // the first run: made without the path
    expect(caches()).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.build\.v8$/)]);
    const first = mtime();
    withPath(false);
    expect(mtime()).toBe(first);
    withPath(true); // made again, and marked
    const second = mtime();
    expect(second).not.toBe(first);
    expect(caches()).toEqual([
      expect.stringMatching(/\.build\.v8$/),
      expect.stringMatching(/\.build\.v8\.build-steps$/),
    ]);
    withPath(true); // once only
    expect(mtime()).toBe(second);
  });

  it('makes the cache again when another run replaced the one its mark was made for (two builds at once)', async () => {
    // `later` starts before `covering` and exits after it: its cache, made without the path,
    // replaces the one the mark was written for.
    const ready = path.join(dir, 'ready');
    const go = path.join(dir, 'go');
    fs.writeFileSync(
      bundle,
      [
        "'use strict';",
        "const fs = require('node:fs');",
        'if (process.env.READY) {',
        "  fs.writeFileSync(process.env.READY, '');",
        '  while (!fs.existsSync(process.env.GO));',
        '}',
        "if (process.env.TAKE_PATH) globalThis[Symbol.for('stack.codeCacheCover')]('build-steps');",
        "process.stdout.write('ran');",
        '',
      ].join('\n'),
    );
    const code = `require(${JSON.stringify(loader)}).runBundle(${JSON.stringify(bundle)}, 'build')`;
    const cacheFile = () =>
      path.join(
        dir,
        'code-cache',
        caches().find((c) => c.endsWith('.build.v8'))!,
      );
    const withPath = () => {
      const r = spawnSync(process.execPath, ['-e', code], {
        encoding: 'utf8',
        env: { ...process.env, TAKE_PATH: '1' },
      });
      expect(r.status, r.stderr).toBe(0);
    };
    const later = spawn(process.execPath, ['-e', code], {
      env: { ...process.env, TAKE_PATH: '', READY: ready, GO: go },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => later.on('exit', resolve));
    onTestFinished(() => {
      if (later.exitCode === null) later.kill('SIGKILL');
    });
    for (let i = 0; i < 500 && !fs.existsSync(ready); i++) await new Promise((r) => setTimeout(r, 10));
    expect(fs.existsSync(ready)).toBe(true);
    withPath(); // the covering run: its cache and the mark
    fs.writeFileSync(go, '');
    expect(await exited).toBe(0); // its cache, without the path, replaced the covering one
    const replaced = fs.statSync(cacheFile(), { bigint: true }).mtimeNs;
    withPath(); // the mark is for a cache no longer there: made again
    expect(fs.statSync(cacheFile(), { bigint: true }).mtimeNs).not.toBe(replaced);
    const remade = fs.statSync(cacheFile(), { bigint: true }).mtimeNs;
    withPath(); // and once only
    expect(fs.statSync(cacheFile(), { bigint: true }).mtimeNs).toBe(remade);
  });
});
