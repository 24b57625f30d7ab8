// A build whose steps all come from the build cache runs no step: it needs neither the step
// machinery nor the runtime, and koffi (dlopen of its native module, libc's bindings) is
// ~2.5 ms of CPU at its start. The stage imports only what it plans and looks up with; the
// step machinery (images/build/build-step.ts, which reads overlay marks through libc) loads
// on a step that runs (images/build/build-stage.ts).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeStackEnv, repoRoot } from '../support/stack-cli.js';

describe('a build all from the cache', () => {
  const env = makeStackEnv();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-cached-build-'));
  const probe = path.join(dir, 'probe.cjs');
  fs.writeFileSync(
    probe,
    "process.on('exit', () => process.stderr.write(`\\nkoffi mapped: ${require('node:fs').readFileSync('/proc/self/maps', 'utf8').includes('koffi')}\\n`));\n",
  );
  afterAll(() => {
    env.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const build = (): string => {
    const r = spawnSync(process.execPath, ['-r', probe, path.join(repoRoot, 'bin/stack.js'), 'build'], {
      cwd: env.root,
      env: env.env,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    return /koffi mapped: (\w+)/.exec(r.stderr)?.[1] ?? 'no answer';
  };

  it('loads no koffi; the build whose COPY ran does', () => {
    fs.writeFileSync(
      path.join(env.root, 'stack.yaml'),
      'services:\n  app:\n    image: stk-cached:latest\n    build: .\n',
    );
    fs.writeFileSync(path.join(env.root, 'Dockerfile'), 'FROM scratch\nCOPY a.txt /a.txt\n');
    fs.writeFileSync(path.join(env.root, 'a.txt'), 'a\n');
    expect(build()).toBe('true');
    expect(build()).toBe('false');
  });
});
