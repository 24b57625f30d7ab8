// `stack run` starts from a bundle of its own (dist/bundle/run.cjs, cli/run-main.ts: the
// program with `run` alone registered), chosen by bin/stack.js from the command line. A
// command line must mean the same there as in the whole CLI: the launcher sends only `run`
// to it, never the program's help or another command hidden behind a global option's value.

import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeStackEnv, repoRoot, stack } from '../support/stack-cli.js';

const launcher = createRequire(import.meta.url)(path.join(repoRoot, 'bin/stack.js')) as {
  commandOf(args: string[]): string;
  bundleFor(dir: string, command: string): string;
  cacheNameOf(command: string, args: string[]): string;
};
const bundleOf = (args: string[]) => path.basename(launcher.bundleFor('/b', launcher.commandOf(args)));

describe('the bundle of `stack run`', () => {
  const env = makeStackEnv();
  afterAll(() => env.dispose());

  it('runs `run` command lines, whatever global options come first', () => {
    expect(bundleOf(['run', '--rm', '--image', 'x', '--', '/bin/true'])).toBe('run.cjs');
    expect(bundleOf(['-f', 'a.yaml', '-p', 'web', 'run', 'svc'])).toBe('run.cjs');
    expect(bundleOf(['--ansi', 'never', '--progress', 'plain', '--parallel', '2', 'run', 'svc'])).toBe('run.cjs');
  });

  it('gives a one-off of a bare image a code cache of its own, apart from `run SERVICE`', () => {
    const cacheOf = (args: string[]) => launcher.cacheNameOf(launcher.commandOf(args), args);
    expect(cacheOf(['run', '--rm', '--image', 'x', '--', '/bin/true'])).toBe('run-image');
    expect(cacheOf(['-p', 'web', 'run', '--image', 'x', 'sh'])).toBe('run-image');
    expect(cacheOf(['run', 'svc'])).toBe('run');
    expect(cacheOf(['ps'])).toBe('ps');
  });

  it("leaves the program's help and every other command to the whole CLI", () => {
    expect(bundleOf(['--help', 'run'])).toBe('stack.cjs');
    expect(bundleOf(['-h', 'run'])).toBe('stack.cjs');
    expect(bundleOf(['help', 'run'])).toBe('stack.cjs');
    expect(bundleOf(['up', 'run'])).toBe('stack.cjs');
    // `run` as the value of a global option is no command
    expect(bundleOf(['--ansi', 'run', 'up'])).toBe('stack.cjs');
    expect(bundleOf(['--project-directory', 'run', 'ps'])).toBe('stack.cjs');
  });

  it('registers `run` as the whole CLI does: the same help, the same usage errors', () => {
    const own = stack(env, ['run', '--help']);
    const whole = stack(env, ['help', 'run']);
    expect(own.code).toBe(0);
    expect(own.stdout).toMatch(/--image <ref>/);
    expect(own.stdout).toBe(whole.stdout);
    const bad = stack(env, ['run', '--bogus', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown option '--bogus'/);
  });
});
