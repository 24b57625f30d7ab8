// post_start and pre_stop hooks (issue 18), proved from inside the containers: each hook
// appends a line to a file in a bind-mounted folder, saying who it ran as, where, with
// which variable and whether it could mount (privileged). post_start hooks run in order,
// after the command started and before what depends on the service starts; a failing one
// fails `up` (as docker compose's), leaves its container running and what depends on it
// unstarted. pre_stop hooks run before the stop signal: their line comes before the line
// the command's TERM trap writes.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  stack,
  TEST_IMAGE,
  uniqueProject,
  type StackEnv,
} from '../support/stack-cli.js';
import { ps } from '../support/stack-containers.js';
import { killSupervisors, waitFor } from '../support/processes.js';
import { INIT_STAGES } from '../support/init-stages.js';

/** A hook's exec form running `script` in sh, its `$` escaped from the file's interpolation. */
const shell = (script: string) => JSON.stringify(['sh', '-c', script.replaceAll('$', () => '$$')]);
/** A hook appending `line` (shell words) to /log/events. */
const append = (line: string) => shell(`echo "${line}" >> /log/events`);
const mountProbe =
  'mkdir -p /hookmnt && mount -t tmpfs t /hookmnt 2>/dev/null && umount /hookmnt && echo mounted || echo refused';

// The hooks run through the exec stage, which has a native and a Node build.
describe.each(INIT_STAGES)('with the %s exec stage', (stage) => {
  let env: StackEnv;
  let project: string;
  let file: string;
  let logDir: string;
  const events = () => fs.readFileSync(path.join(logDir, 'events'), 'utf8').trim().split('\n');

  beforeAll(() => {
    env = makeStackEnv();
    if (stage === 'node') env.env.STACK_INIT_STAGE = 'node';
    else delete env.env.STACK_INIT_STAGE;
    importTestImage(env);
    project = uniqueProject('thooks');
    logDir = path.join(env.root, 'log');
    fs.mkdirSync(logDir, { mode: 0o777 });
    fs.chmodSync(logDir, 0o777);
    // Written by root's hooks and by the container's user alike.
    fs.writeFileSync(path.join(logDir, 'events'), '', { mode: 0o666 });
    fs.chmodSync(path.join(logDir, 'events'), 0o666);
    file = path.join(env.root, 'stack.yaml');
    fs.writeFileSync(
      file,
      `name: ${project}
services:
  app:
    image: ${TEST_IMAGE}
    user: "65534"
    volumes: ["${logDir}:/log"]
    command: ["sh", "-c", "trap 'echo term >> /log/events; exit 0' TERM; while :; do sleep 1 & wait $$!; done"]
    post_start:
      - command: ${append(`one $(id -u) $STAGE $(pwd) $(${mountProbe})`)}
        user: root
        working_dir: /tmp
        environment: {STAGE: first}
      - command: ${append(`two $(id -u) $(${mountProbe})`)}
        user: root
        privileged: true
      - command: ${append('three $(id -u)')}
    pre_stop:
      - command: ${append('stop $(id -u)')}
  after:
    image: ${TEST_IMAGE}
    depends_on: [app]
    volumes: ["${logDir}:/log"]
    command: ["sh", "-c", "cp /log/events /log/seen-by-after; exec sleep 1000"]
    stop_grace_period: 0s
`,
    );
    const up = stack(env, ['-f', file, 'up', '-d']);
    if (up.code !== 0) throw new Error(up.stderr);
  });

  afterAll(async () => {
    stack(env, ['-f', file, 'down', '-t', '0']);
    await killSupervisors(project);
    env.dispose();
  });

  describe('post_start', () => {
    it('runs the hooks in order, each with its user, working_dir, environment and privilege', () => {
      expect(events().filter((l) => !l.startsWith('term'))).toEqual([
        'one 0 first /tmp refused',
        'two 0 mounted',
        'three 65534',
      ]);
    });

    it('has run every hook before a service that depends on it starts', async () => {
      // up -d returns once `after` is started; its copy may come a moment later.
      await waitFor(() => fs.existsSync(path.join(logDir, 'seen-by-after')), 30_000, 'the copy by after');
      expect(fs.readFileSync(path.join(logDir, 'seen-by-after'), 'utf8').trim().split('\n')).toEqual([
        'one 0 first /tmp refused',
        'two 0 mounted',
        'three 65534',
      ]);
    });

    it('that fails fails up, keeps its container running and what depends on it unstarted', () => {
      const other = uniqueProject('thookf');
      const otherFile = path.join(env.root, `${other}.yaml`);
      fs.writeFileSync(
        otherFile,
        `name: ${other}
services:
  bad:
    image: ${TEST_IMAGE}
    command: sleep 1000
    stop_grace_period: 0s
    post_start:
      - command: ${shell('echo boom; exit 3')}
  needs:
    image: ${TEST_IMAGE}
    command: sleep 1000
    depends_on: [bad]
`,
      );
      try {
        const up = stack(env, ['-f', otherFile, 'up', '-d']);
        expect(up.code).not.toBe(0);
        expect(up.stderr).toContain(`${other}-bad-1: post_start hook 1 exited with status 3: boom`);
        const rows = ps(env, otherFile);
        expect(rows.find((r) => r.service === 'bad')?.state).toBe('running');
        expect(rows.find((r) => r.service === 'needs')).toBeUndefined();
      } finally {
        stack(env, ['-f', otherFile, 'down', '-t', '0']);
      }
    });
  });

  describe('pre_stop', () => {
    it('runs before the stop signal, as the container user', () => {
      const stop = stack(env, ['-f', file, 'stop', 'app']);
      expect(stop.code, stop.stderr).toBe(0);
      expect(events().slice(-2)).toEqual(['stop 65534', 'term']);
    });
  });
});
