// Privileged, real engine: a running stack whose records vanish (a test's temp folder
// removed under it, an `rm -rf` of STACK_ROOT) leaves nothing behind. Its supervisor sees
// its stack folder go and takes the stack down by name, then exits; and `stack down` of a
// project without records still removes what carries the project's name, including a
// supervisor that could not act (stopped with SIGSTOP).

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { paths } from '../../store/paths.js';
import { bridgeName, natTableName } from '../../model/names.js';
import { findSupervisorPid, waitFor } from '../support/processes.js';
import { projectObjects, removedFolder, removeProjectObjects, type ProjectShape } from '../support/project-objects.js';
import {
  importTestImage,
  makeStackEnv,
  stack,
  TEST_IMAGE,
  uniqueProject,
  type StackEnv,
} from '../support/stack-cli.js';

const made: { env: StackEnv; shape: ProjectShape }[] = [];

afterAll(async () => {
  for (const { env, shape } of made) {
    await removeProjectObjects(shape);
    env.dispose();
  }
});

/** A stack of two containers on two networks with a published port (a table, two bridges, four veths), up. */
function upStack(prefix: string): { env: StackEnv; shape: ProjectShape } {
  const env = makeStackEnv();
  const project = uniqueProject(prefix);
  const shape = {
    project,
    networks: ['default', 'back'],
    containers: [`${project}-web-1`, `${project}-db-1`],
  };
  made.push({ env, shape });
  importTestImage(env);
  const service = (ports: string) =>
    `    image: ${TEST_IMAGE}\n    command: sleep 1000\n    stop_grace_period: 1s\n    networks: [default, back]\n${ports}`;
  fs.writeFileSync(
    path.join(env.root, 'stack.yaml'),
    `name: ${project}\nservices:\n  web:\n${service('    ports: ["127.0.0.1::80"]\n')}  db:\n${service('')}networks:\n  back: {}\n`,
  );
  const up = stack(env, ['up', '-d']);
  expect(up.code, up.stderr).toBe(0);
  expect(projectObjects(shape).length).toBeGreaterThan(0);
  return { env, shape };
}

/** The stack's folders as that env's CLI sees them. */
const stackFolders = (env: StackEnv, project: string) => {
  const saved = { root: process.env.STACK_ROOT, run: process.env.STACK_RUN };
  process.env.STACK_ROOT = env.env.STACK_ROOT;
  process.env.STACK_RUN = env.env.STACK_RUN;
  try {
    return [paths.stackDir(project), paths.runDir(project)];
  } finally {
    process.env.STACK_ROOT = saved.root;
    process.env.STACK_RUN = saved.run;
  }
};

describe('a stack whose records are gone', () => {
  it('its supervisor takes the stack down by name once its STACK_ROOT is removed, and exits', async () => {
    const { env, shape } = upStack('trgone');
    fs.rmSync(env.env.STACK_ROOT!, { recursive: true, force: true });
    // The supervisor makes its socket again as soon as it is deleted: rm races with it, as a user's would.
    await waitFor(() => removedFolder(env.env.STACK_RUN!), 5000, 'STACK_RUN to be removed');
    // Polled: the supervisor notices within its check interval; no figure is asserted.
    await waitFor(() => projectObjects(shape).length === 0, 30_000, 'the stack to be gone').catch(() => {});
    expect(projectObjects(shape)).toEqual([]);
    // Nothing made the folders again (the event history, logs, the socket).
    expect(fs.existsSync(env.env.STACK_ROOT!)).toBe(false);
  });

  it('`stack down` removes what carries the project name while its supervisor is stopped', async () => {
    const { env, shape } = upStack('trdown');
    const supervisor = findSupervisorPid(shape.project)!;
    process.kill(supervisor, 'SIGSTOP');
    for (const dir of stackFolders(env, shape.project))
      await waitFor(() => removedFolder(dir), 5000, `${dir} to be removed`);
    const down = stack(env, ['-p', shape.project, 'down', '-t', '1']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toContain(
      `stack ${shape.project} had no records; removed its leftover supervisor ${supervisor}`,
    );
    for (const object of [`nft table ${natTableName(shape.project)}`, `bridge ${bridgeName(shape.project, 'back')}`])
      expect(down.stderr).toContain(object);
    expect(projectObjects(shape)).toEqual([]);
  });
});
