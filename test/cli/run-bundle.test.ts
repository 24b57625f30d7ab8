// `stack run`, `stack build`, `stack plan` and `stack up` start from bundles of their own (dist/bundle/run.cjs
// from cli/run-main.ts, build.cjs from cli/build-main.ts, plan.cjs from cli/plan-main.ts, up.cjs
// from cli/up-main.ts: the program with that
// command alone registered), chosen by bin/stack.js from the command line. A command line
// must mean the same there as in the whole CLI: the launcher sends only that command to it,
// never the program's help or another command hidden behind a global option's value.

import fs from 'node:fs';
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

describe.each([
  { command: 'run', args: ['--rm', '--image', 'x', '--', '/bin/true'], option: /--image <ref>/ },
  { command: 'build', args: ['--no-cache', 'web'], option: /--build-arg <key=value>/ },
  { command: 'plan', args: ['--format', 'json', 'web'], option: /--format <format>/ },
  { command: 'up', args: ['-d', '--wait-timeout', '5', 'web'], option: /--exit-code-from <service>/ },
])('the bundle of `stack $command`', ({ command, args, option }) => {
  const env = makeStackEnv();
  afterAll(() => env.dispose());
  const own = `${command}.cjs`;

  it(`runs \`${command}\` command lines, whatever global options come first`, () => {
    expect(bundleOf([command, ...args])).toBe(own);
    expect(bundleOf(['-f', 'a.yaml', '-p', 'web', command, 'svc'])).toBe(own);
    expect(bundleOf(['--ansi', 'never', '--progress', 'plain', '--parallel', '2', command, 'svc'])).toBe(own);
  });

  it('gives a one-off of a bare image a code cache of its own, apart from `run SERVICE`', () => {
    const cacheOf = (args: string[]) => launcher.cacheNameOf(launcher.commandOf(args), args);
    expect(cacheOf(['run', '--rm', '--image', 'x', '--', '/bin/true'])).toBe('run-image');
    expect(cacheOf(['-p', 'web', 'run', '--image', 'x', 'sh'])).toBe('run-image');
    expect(cacheOf(['run', 'svc'])).toBe('run');
    expect(cacheOf(['ps'])).toBe('ps');
  });

  it("leaves the program's help and every other command to the whole CLI", () => {
    expect(bundleOf(['--help', command])).toBe('stack.cjs');
    expect(bundleOf(['-h', command])).toBe('stack.cjs');
    expect(bundleOf(['help', command])).toBe('stack.cjs');
    expect(bundleOf(['ps', command])).toBe('stack.cjs');
    // the command as the value of a global option is no command
    expect(bundleOf(['--ansi', command, 'ps'])).toBe('stack.cjs');
    expect(bundleOf(['--project-directory', command, 'ps'])).toBe('stack.cjs');
  });

  it(`registers \`${command}\` as the whole CLI does: the same help, the same usage errors`, () => {
    const mine = stack(env, [command, '--help']);
    const whole = stack(env, ['help', command]);
    expect(mine.code).toBe(0);
    expect(mine.stdout).toMatch(option);
    expect(mine.stdout).toBe(whole.stdout);
    const bad = stack(env, [command, '--bogus', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown option '--bogus'/);
  });
});

// The one-shot form as root runs a bundle smaller still (dist/bundle/one-shot.cjs, from
// cli/one-shot-main.ts): cli/one-shot-args.ts (one-shot-args.cjs) tells it apart.
describe('the bundle of the one-shot `stack run --rm --image`', () => {
  const dir = path.join(repoRoot, 'dist/bundle');
  const isOneShot = (args: string[]) =>
    (launcher as unknown as { isOneShot(dir: string, command: string, args: string[]): boolean }).isOneShot(
      dir,
      launcher.commandOf(args),
      args,
    );

  it('runs exactly the form one-shot-args.ts reads, as root', () => {
    expect(process.geteuid?.()).toBe(0);
    expect(isOneShot(['run', '--rm', '--image', 'x', '--', '/bin/true'])).toBe(true);
    expect(isOneShot(['run', '--image', 'x', '--network', 'none', '--rm', 'sh', '-c', 'true'])).toBe(true);
    expect(isOneShot(['run', '--rm', '--image', 'x', '-e', 'A=1', 'sh'])).toBe(false);
    expect(isOneShot(['run', '--image', 'x', 'sh'])).toBe(false);
    expect(isOneShot(['-p', 'web', 'run', '--rm', '--image', 'x', 'sh'])).toBe(false);
    expect(isOneShot(['run', '--rm', 'svc'])).toBe(false);
    expect(isOneShot(['ps', '--image'])).toBe(false);
  });

  it('holds neither commander nor the stack file loader nor what `run SERVICE` needs', () => {
    const text = fs.readFileSync(path.join(dir, 'one-shot.cjs'), 'latin1');
    // esbuild names each module it bundles in a comment
    expect(text).toMatch(/^\/\/ cli\/commands\/run-targeted\.ts$/m);
    for (const left of [
      'node_modules/commander/',
      'node_modules/yaml/',
      'cli/stack-file.ts',
      'cli/commands/run-prepare.ts',
      'cli/commands/dry-run-action.ts',
    ])
      expect(text).not.toContain(`\n// ${left}`);
  });
});
