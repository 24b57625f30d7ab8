// Privileged, real engine: a `network_mode: bridge` container has no stack resolver, so its
// resolv.conf names STACK_DNS_UPSTREAM's servers itself. When none of them can go there (a
// port other than 53, the host's loopback), `up` is refused with the variable and the fix:
// before, the container started with an empty resolv.conf and no word of why (found in review).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  sleeperService,
  stack,
  uniqueProject,
  writeStackFile,
  type StackEnv,
} from '../support/stack-cli.js';
import { killSupervisors } from '../support/processes.js';

let env: StackEnv;
let project: string;
let file: string;

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  project = uniqueProject('tdnsup');
  file = writeStackFile(env, project, `  box:\n${sleeperService('    network_mode: bridge\n')}`);
});

afterAll(async () => {
  stack(env, ['-f', file, 'down', '-t', '0']);
  await killSupervisors(project);
  env?.dispose();
});

describe('STACK_DNS_UPSTREAM and a default-bridge container', () => {
  it('only servers on other ports: up is refused, naming the variable and the fix', () => {
    env.env.STACK_DNS_UPSTREAM = '198.18.0.3:5353';
    const up = stack(env, ['-f', file, 'up', '-d']);
    expect(up.code, up.stderr).toBe(1);
    expect(up.stderr).toContain(`${project}-box-1: STACK_DNS_UPSTREAM=198.18.0.3:5353`);
    expect(up.stderr).toContain('give one server as IP or IP:53 that is not 127.x');
  });
});
