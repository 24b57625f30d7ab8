// Resource limits that docker refuses, given to `up`: a container below 6 MiB (it was
// started and OOM-killed while `up` returned 0), negative or zero cpus (-1 meant no limit),
// a size past what the kernel holds (EINVAL mid-apply, leaving a half-made stack), and more
// CPUs than the host has; and runtime options docker refuses (a sysctl that is not
// namespaced, a soft ulimit above the hard one), which were plan-time problems without a
// position. All are located errors before anything is made.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import {
  importTestImage,
  makeStackEnv,
  stack,
  TEST_IMAGE,
  uniqueProject,
  type StackEnv,
} from '../support/stack-cli.js';

let env: StackEnv;
beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
});
afterAll(() => env.dispose());

it('refuses limits docker refuses, all at once and located, and makes nothing', () => {
  const project = uniqueProject('tlim');
  const service = (name: string, limit: string) =>
    `  ${name}:\n    image: ${TEST_IMAGE}\n    command: sleep 1000\n    network_mode: none\n    ${limit}\n`;
  const file = path.join(env.root, 'stack.yaml');
  const cpus = os.availableParallelism();
  fs.writeFileSync(
    file,
    `name: ${project}\nservices:\n` +
      service('tiny', 'mem_limit: 1') +
      service('unlimited', 'cpus: -1') +
      service('huge', 'mem_limit: 9999999999g') +
      service('greedy', `cpus: ${cpus + 1}`) +
      service('tuned', 'sysctls: {kernel.panic: "1"}') +
      service('files', 'ulimits: {nofile: {soft: 2048, hard: 1024}}'),
  );
  const before = snapshotHostObjects();
  const r = stack(env, ['-f', file, 'up', '-d']);
  expect(r.code, r.stderr).toBe(1);
  const located = r.stderr.split('\n').filter((l) => /^stack\.yaml:\d+:\d+: /.test(l));
  expect(located).toEqual([
    `stack.yaml:7:16: mem_limit 1 of service "tiny" is below 6 MiB, the least docker lets a container run in (it would be killed for lack of memory at once); give at least 6m, or leave mem_limit out for no limit`,
    `stack.yaml:12:11: cpus -1 of service "unlimited" is out of range: give a number of CPUs from 0.01 to ${cpus}, as this host has ${cpus} CPU${cpus === 1 ? '' : 's'}, or leave cpus out for no limit`,
    `stack.yaml:17:16: mem_limit 9999999999g of service "huge" is more than the kernel can limit (at most 4 PiB); give a smaller size, or leave mem_limit out for no limit`,
    `stack.yaml:22:11: cpus ${cpus + 1} of service "greedy" is more CPUs than this host has: give a number from 0.01 to ${cpus}, as this host has ${cpus} CPU${cpus === 1 ? '' : 's'}`,
    `stack.yaml:27:15: service tuned: sysctl kernel.panic is not namespaced; docker refuses it too (it would change the host's kernel)`,
    `stack.yaml:32:30: service files: ulimit nofile: soft limit 2048 is above the hard limit 1024`,
  ]);
  // Only this test's objects: other test files may run at the same time.
  expect(objectsNaming(newObjects(before, snapshotHostObjects()), [project, env.root])).toEqual({});
  expect(fs.existsSync(path.join(env.env.STACK_ROOT!, 'stacks', project))).toBe(false);
  expect(fs.existsSync(path.join(env.env.STACK_RUN!, project))).toBe(false);
  // The file is refused, so ps is asked by project name.
  expect(stack(env, ['-p', project, 'ps', '-a', '--format', 'json']).stdout.trim()).toBe('');
});

it('refuses project names too long for the host before anything is made: no state, no stray socket', () => {
  for (const length of [80, 200]) {
    const project = `stk${'n'.repeat(length - 3)}`;
    const file = path.join(env.root, `long-${length}.yaml`);
    fs.writeFileSync(file, `name: ${project}\nservices:\n  a:\n    image: ${TEST_IMAGE}\n    command: sleep 1000\n`);
    const r = stack(env, ['-f', file, 'up', '-d']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^long-${length}\\.yaml:1:7: project name "stkn+" is ${length} characters long, more than the 63 stack allows`,
      ),
    );
    const run = fs.existsSync(env.env.STACK_RUN!) ? fs.readdirSync(env.env.STACK_RUN!) : [];
    expect(run.filter((n) => n.startsWith('stkn'))).toEqual([]);
    expect(fs.existsSync(path.join(env.env.STACK_ROOT!, 'stacks'))).toBe(false);
  }
});

it('refuses a name that fits but whose socket path under a long STACK_RUN would not', () => {
  const run = path.join(env.root, 'r'.repeat(40));
  const longRun = { ...env, env: { ...env.env, STACK_RUN: run } };
  const project = uniqueProject('tsock');
  const file = path.join(env.root, 'sock.yaml');
  fs.writeFileSync(file, `name: ${project}${'x'.repeat(40)}\nservices:\n  a:\n    image: ${TEST_IMAGE}\n`);
  const r = stack(longRun, ['-f', file, 'up', '-d']);
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toContain(
    `sock.yaml:1:7: project name "${project}${'x'.repeat(40)}" makes the supervisor's socket path ${run}/`,
  );
  expect(r.stderr).toContain('use a shorter name, or a shorter STACK_RUN');
  expect(fs.existsSync(run)).toBe(false);
  // config checks the file alone, as compose's does
  expect(stack(longRun, ['-f', file, 'config', '-q']).code).toBe(0);
});
