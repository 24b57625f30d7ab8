// `network_mode: none` under `up`: the container's command starts only once its loopback
// is up (the init stage waits for the release, as it does for a container with veths;
// executor/launch-container.ts brings lo up before it), so a command that talks to itself
// on 127.0.0.1 at once can. Before, the command could run while lo was still down, and a
// command done at once had `up` fail to bring up the loopback of a process already gone.

import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  stack,
  uniqueProject,
  TEST_IMAGE,
  type StackEnv,
  writeStackFile,
} from '../support/stack-cli.js';

let env: StackEnv;
let file: string;

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  file = writeStackFile(
    env,
    uniqueProject('tnone'),
    `  loner:
    image: ${TEST_IMAGE}
    network_mode: none
    command: ["sh", "-c", "ip -o link show lo; ping -c 1 -W 1 127.0.0.1 >/dev/null && echo reached; exec sleep 1000"]
    stop_signal: SIGKILL
  once:
    image: ${TEST_IMAGE}
    network_mode: none
    command: ["true"]
`,
  );
});

afterAll(() => {
  if (file) stack(env, ['-f', file, 'down', '-t', '0']);
  env?.dispose();
});

it('starts the command of a network_mode none service with lo already up, and a one-shot one too', () => {
  const up = stack(env, ['-f', file, 'up', '-d']);
  expect(up.stderr).not.toMatch(/✖/);
  expect(up.code, up.stderr).toBe(0);
  let logs = '';
  // The command's two lines come within its first second; wait for them, not for a time.
  for (let i = 0; i < 200 && !/reached|unreachable/.test(logs); i++) logs = stack(env, ['-f', file, 'logs']).stdout;
  expect(logs).toMatch(/<LOOPBACK,UP,LOWER_UP>/);
  expect(logs).toMatch(/reached/);
});
