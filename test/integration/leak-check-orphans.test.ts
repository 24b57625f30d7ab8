// Privileged, real engine: the suite's leak check reports objects it did not make. A stack
// whose STACK_ROOT was removed while its supervisor could not act (stopped, as a killed test
// run's old supervisor) is there before the check starts; the check must still fail at its
// end, name the project's objects and give the command that removes them, and that command
// must leave nothing of the project.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import setup from '../support/leak-check.global.js';
import { findSupervisorPid, waitFor } from '../support/processes.js';
import { projectObjects, removedFolder, removeProjectObjects, type ProjectShape } from '../support/project-objects.js';
import { importTestImage, makeStackEnv, repoRoot, stack, TEST_IMAGE, uniqueProject } from '../support/stack-cli.js';

const env = makeStackEnv();
const project = uniqueProject('torphan');
const shape: ProjectShape = { project, networks: ['default'], containers: [`${project}-app-1`] };

afterAll(async () => {
  await removeProjectObjects(shape);
  env.dispose();
});

it('an orphan there before the check started fails it, with the command that removes it', async () => {
  importTestImage(env);
  fs.writeFileSync(
    path.join(env.root, 'stack.yaml'),
    `name: ${project}\nservices:\n  app:\n    image: ${TEST_IMAGE}\n    command: sleep 1000\n    stop_grace_period: 0s\n    ports: ["127.0.0.1::80"]\n`,
  );
  const up = stack(env, ['up', '-d']);
  expect(up.code, up.stderr).toBe(0);
  process.kill(findSupervisorPid(project)!, 'SIGSTOP');
  for (const dir of [env.env.STACK_ROOT!, env.env.STACK_RUN!])
    await waitFor(() => removedFolder(dir), 5000, `${dir} to be removed`);

  const finish = await setup();
  const failure = await finish().then(
    () => undefined,
    (err: Error) => err.message,
  );
  // The check sets the exit code of the process it ends (the suite's); this worker's is not its business.
  process.exitCode = undefined;
  expect(failure).toContain(`project ${project}: supervisor`);
  expect(failure).toContain(`/stack/${project}`);
  const fix = failure!
    .split('\n')
    .map((l) => /remove with: (.*)$/.exec(l)?.[1])
    .find((cmd) => cmd?.includes(`-p ${project} `));
  expect(fix).toContain(`STACK_ROOT=${env.env.STACK_ROOT}`);
  const ran = spawnSync('sh', ['-c', fix!], { cwd: repoRoot, encoding: 'utf8', env: { PATH: process.env.PATH } });
  expect(ran.status, ran.stderr).toBe(0);
  expect(projectObjects(shape)).toEqual([]);
});
