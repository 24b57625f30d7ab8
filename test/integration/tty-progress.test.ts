// Progress on a terminal: `up` draws the plan as a live listr2 task list (redrawn in place
// with cursor control), each operation ending ✔ or ✖ with its reason. `script` gives the
// CLI a pseudo-terminal, as a user's shell would.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  repoRoot,
  stack,
  uniqueProject,
  TEST_IMAGE,
  writeStackFile,
  type StackEnv,
} from '../support/stack-cli.js';
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { killSupervisors } from '../support/processes.js';

let env: StackEnv;
let project: string;
let file: string;
const before = snapshotHostObjects();

/** `stack ARGS` on a pseudo-terminal `columns` wide (0: one that reports no size): its exit code and everything it drew. */
function onTerminal(args: string[], columns: number): { code: number; screen: string } {
  const command = [path.join(repoRoot, 'bin/stack'), ...args].map((a) => `'${a}'`).join(' ');
  const r = spawnSync('script', ['-qec', `stty cols ${columns} rows 40; ${command}`, '/dev/null'], {
    cwd: env.root,
    env: { ...env.env, TERM: 'xterm-256color' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, screen: r.stdout };
}

/** The text of a screen without its colours and cursor control. */
const text = (screen: string) => screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  project = uniqueProject('ttty');
  file = writeStackFile(
    env,
    project,
    `  web:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "1000"]\n    stop_signal: SIGKILL\n  broken:\n    image: ${TEST_IMAGE}\n    command: ["no-such-program"]\n`,
  );
});

afterAll(async () => {
  stack(env, ['-f', file, 'down', '-t', '0']);
  await killSupervisors(project);
  expect(objectsNaming(newObjects(before, snapshotHostObjects()), [project, env.root])).toEqual({});
  env.dispose();
});

it('up on a terminal draws a live task list: ✔ with milliseconds, ✖ with the reason', () => {
  const { code, screen } = onTerminal(['-f', file, 'up', '-d'], 200);
  expect(code).toBe(1);
  expect(text(screen)).toMatch(new RegExp(`✔ container\\.start ${project}-web-1.*\\(\\d+ ms\\)`));
  expect(text(screen)).toMatch(new RegExp(`✖ container\\.start ${project}-broken-1`));
  expect(text(screen)).toMatch(/executable file not found in \$PATH: no-such-program/);
  // Drawn by listr2, which hides the cursor while it redraws (an apply that ends within one
  // frame shows only the last one): plain-line output never does.
  expect(screen).toContain('\x1b[?25l');
});

it('a terminal that reports no width gets plain lines instead of a list it could not draw', () => {
  expect(stack(env, ['-f', file, 'down', '-t', '0']).code).toBe(0);
  const { code, screen } = onTerminal(['-f', file, 'up', '-d'], 0);
  expect(code).toBe(1);
  expect(screen).toMatch(new RegExp(`✔ container\\.start ${project}-web-1 \\(\\d+ ms\\)`));
  expect(screen).not.toContain('\x1b[?25l');
});
