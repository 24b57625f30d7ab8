// The leak check gates the suite: a run that leaves a host object behind exits non-zero.
// vitest reports an error thrown by a global setup's teardown ("error during close") and
// still exits 0, so a check that only threw never failed `npm test` (a fresh-clone CI run
// printed its leak report and passed).

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from '../support/stack-cli.js';

it('fails the run when a test leaves an stk link behind', () => {
  const link = `stkgate${randomBytes(3).toString('hex')}`;
  try {
    const r = spawnSync(
      path.join(repoRoot, 'node_modules/.bin/vitest'),
      ['run', '--config', path.join(repoRoot, 'test/fixtures/leak-gate/vitest.config.ts')],
      { cwd: repoRoot, env: { ...process.env, LEAK_GATE_LINK: link }, encoding: 'utf8', timeout: 60_000 },
    );
    const output = r.stdout + r.stderr;
    expect(output).toContain('leak check failed');
    expect(output).toContain(link);
    expect(r.status, output).not.toBe(0);
  } finally {
    spawnSync('ip', ['link', 'delete', link]);
  }
});
