// Rootless mode refuses `privileged: true` and `devices:` at load (rootless-refusals.ts).
// `stack run` has no flag that asks for either (docker compose run has none: its
// --cap-add/--cap-drop are namespaced capabilities, harmless rootless), so `run --privileged`
// and `run --device` are usage errors for everyone, and for an ordinary user they must stay
// refused before rootless mode starts: no namespace holder, nothing under the user's
// STACK_RUN or STACK_ROOT. Real CLI, run as an unprivileged uid (setpriv).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/stack-cli.js';
import { EXIT } from '../../cli/errors.js';

const NOBODY = 65534;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-rl-flags-'));
fs.chmodSync(dir, 0o755);
const home = path.join(dir, 'home');
const runtimeDir = path.join(dir, 'xdg-run');
for (const d of [home, runtimeDir]) {
  fs.mkdirSync(d, { mode: 0o700 });
  fs.chownSync(d, NOBODY, NOBODY);
}
fs.writeFileSync(path.join(home, 'stack.yaml'), 'services:\n  web:\n    image: stack.local/busybox:latest\n');

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('stack run flags rootless mode cannot honour, given by an ordinary user', () => {
  it.each([
    [['run', '--privileged', 'web', 'true'], "unknown option '--privileged'"],
    [['run', '--device', '/dev/null', 'web', 'true'], "unknown option '--device'"],
    [['run', '--device=/dev/null', 'web', 'true'], "unknown option '--device=/dev/null'"],
    [
      ['run', '--rm', '--privileged', '--image', 'stack.local/busybox:latest', '--', 'true'],
      "unknown option '--privileged'",
    ],
  ])('%j is refused before rootless mode starts', (args, message) => {
    const r = spawnSync(
      'setpriv',
      [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', path.join(repoRoot, 'bin/stack'), ...args],
      {
        env: { PATH: process.env.PATH, HOME: home, XDG_RUNTIME_DIR: runtimeDir, XDG_DATA_HOME: '' },
        cwd: home,
        encoding: 'utf8',
      },
    );
    expect(r.status, r.stderr).toBe(EXIT.usage);
    expect(r.stderr).toContain(message);
    // Nothing made: no STACK_RUN (the holder's record, locks) and no STACK_ROOT.
    expect(fs.readdirSync(runtimeDir)).toEqual([]);
    expect(fs.readdirSync(home)).toEqual(['stack.yaml']);
  });
});
