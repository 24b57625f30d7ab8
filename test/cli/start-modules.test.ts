// What a command's start loads is its start-up time: node:child_process (with the modules
// it pulls in) is ~6 ms of CPU, and only commands that start a process need it. commander
// gets it on first use (scripts/bundle-cli.mjs), `up` imports the supervisor's launcher in
// its action; a top-level import anywhere else would bring it back to every command.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeStackEnv, repoRoot } from '../support/stack-cli.js';

describe('the start of a command', () => {
  const env = makeStackEnv();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-start-modules-'));
  const probe = path.join(dir, 'probe.cjs');
  fs.writeFileSync(
    probe,
    "process.on('exit', () => process.stderr.write(`\\nchild_process loaded: ${process.moduleLoadList.includes('NativeModule child_process')}\\n`));\n",
  );
  afterAll(() => {
    env.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const loaded = (args: string[]): string => {
    const r = spawnSync(process.execPath, ['-r', probe, path.join(repoRoot, 'bin/stack.js'), ...args], {
      cwd: env.root,
      env: env.env,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    return /child_process loaded: (\w+)/.exec(r.stderr)?.[1] ?? 'no answer';
  };

  it('loads no node:child_process for commands that start no process', () => {
    fs.writeFileSync(path.join(env.root, 'stack.yaml'), 'services:\n  a:\n    image: busybox\n');
    expect(loaded(['version'])).toBe('false');
    expect(loaded(['config'])).toBe('false');
    expect(loaded(['ls'])).toBe('false');
    expect(loaded(['ps'])).toBe('false');
  });

  it('the probe sees it where it is loaded', () => {
    expect(loaded(['run', '--help'])).toBe('false');
    const r = spawnSync(process.execPath, ['-r', probe, '-e', "require('node:child_process')"], { encoding: 'utf8' });
    expect(r.stderr).toMatch(/child_process loaded: true/);
  });
});
