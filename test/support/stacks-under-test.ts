// For a test file whose tests each bring up a stack of their own: a private STACK_ROOT with
// the test image (beforeAll), `up(services)` under a fresh project name, and an afterAll
// that takes every one down and checks that none left a host object behind.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { importTestImage, makeStackEnv, stack, uniqueProject, type StackEnv } from './stack-cli.js';
import { newObjects, objectsNaming, snapshotHostObjects } from './host-objects.js';
import { killSupervisors } from './processes.js';

export interface StacksUnderTest {
  env(): StackEnv;
  /** Writes `<project>.yaml` with the `services:` block given and runs `up -d`; `f` is its `-f FILE`. */
  up(services: string): { f: string[]; project: string };
}

export function stacksUnderTest(prefix: string): StacksUnderTest {
  const before = snapshotHostObjects();
  const projects: string[] = [];
  let env: StackEnv;
  beforeAll(() => {
    env = makeStackEnv();
    importTestImage(env);
  }, 60_000);
  afterAll(async () => {
    for (const p of projects) {
      stack(env, ['-p', p, 'down', '-t', '0']);
      await killSupervisors(p);
    }
    expect(objectsNaming(newObjects(before, snapshotHostObjects()), [env.root, ...projects])).toEqual({});
    env.dispose();
  });
  return {
    env: () => env,
    up(services) {
      const project = uniqueProject(prefix);
      projects.push(project);
      const file = path.join(env.root, `${project}.yaml`);
      fs.writeFileSync(file, `name: ${project}\nservices:\n${services}`);
      const r = stack(env, ['-f', file, 'up', '-d']);
      expect(r.code, r.stderr).toBe(0);
      return { f: ['-f', file], project };
    },
  };
}
