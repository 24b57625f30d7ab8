// For a test file about one stack: a private STACK_ROOT with the test image and a fresh
// project name (beforeAll; the file's own beforeAll, registered after, writes the stack
// file), and an afterAll that takes the stack down and checks it left no host object.

import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { importTestImage, makeStackEnv, stack, uniqueProject, type StackEnv } from './stack-cli.js';
import { newObjects, objectsNaming, snapshotHostObjects } from './host-objects.js';
import { killSupervisors } from './processes.js';

export interface OneStack {
  env: StackEnv;
  /** `<root>/stack.yaml`, for the test file to write. */
  file: string;
  project: string;
}

/** `downArgs`: added to the final `down -t 0` (e.g. `-v` for a file that makes volumes). */
export function oneStackUnderTest(prefix: string, downArgs: string[] = []): OneStack {
  const before = snapshotHostObjects();
  const one = {} as OneStack;
  beforeAll(() => {
    one.env = makeStackEnv();
    importTestImage(one.env);
    one.project = uniqueProject(prefix);
    one.file = path.join(one.env.root, 'stack.yaml');
  });
  afterAll(async () => {
    stack(one.env, ['-f', one.file, 'down', '-t', '0', ...downArgs]);
    await killSupervisors(one.project);
    expect(objectsNaming(newObjects(before, snapshotHostObjects()), [one.project])).toEqual({});
    one.env.dispose();
  });
  return one;
}
