// A custom bridge name (driver_opts com.docker.network.bridge.name) is held by the stack
// whose apply is making it, before its network record exists: a second stack's up that
// asks for the same name is exit 1 naming that stack and the fix, and makes nothing. The
// apply in progress is this test's claim (model/claims.ts), written as a supervisor writes
// it, with this process as its live holder: the window stays open as long as the test wants.

import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  sleeperService as sleeper,
  stack,
  uniqueProject,
  type StackEnv,
} from '../support/stack-cli.js';
import { readStartTime } from '../../store/proc-stat.js';

let env: StackEnv;
let file = '';
const bridge = `stkbcl${Math.random().toString(36).slice(2, 8)}`;
const first = uniqueProject('tbcfirst');
const second = uniqueProject('tbcsecond');

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  const claims = path.join(env.env.STACK_RUN!, first, 'claims.json');
  fs.mkdirSync(path.dirname(claims), { recursive: true });
  fs.writeFileSync(
    claims,
    JSON.stringify({
      project: first,
      pid: process.pid,
      startTime: readStartTime(process.pid),
      subnets: ['10.98.70.0/24'],
      ports: [],
      addresses: [],
      bridges: [bridge],
    }),
  );
  file = path.join(env.root, 'stack.yaml');
  fs.writeFileSync(
    file,
    `name: ${second}\nservices:\n  web:\n${sleeper('    networks: [front]\n')}networks:\n  front:\n    driver_opts:\n      com.docker.network.bridge.name: ${bridge}\n`,
  );
});

afterAll(() => {
  if (file) stack(env, ['-f', file, 'down', '-t', '0']);
  env?.dispose();
});

describe('a custom bridge name another stack is making', () => {
  it('is exit 1 naming that stack and the fix; nothing is made', () => {
    const r = stack(env, ['-f', file, 'up', '-d']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `network front: bridge name ${bridge} (com.docker.network.bridge.name) is being made by stack ${first}, whose up is in progress; choose another name`,
    );
    expect(spawnSync('ip', ['link', 'show', 'dev', bridge], { stdio: 'ignore' }).status).not.toBe(0);
  });
});
