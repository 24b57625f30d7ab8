// `up --scale` on the real CLI: a new network is sized for the scale asked for (as
// deploy.replicas sizes it), and a running network too small for it is one problem, said
// once, before anything changes. Cheap: the large scales are only planned or refused.

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
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { killSupervisors } from '../support/processes.js';
import { psJson } from '../support/ps-json.js';

const before = snapshotHostObjects();
const project = uniqueProject('tscale');
let env: StackEnv;
let f: string[];

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  f = ['-f', writeStackFile(env, project, `  w:\n${sleeperService()}`)];
});

afterAll(async () => {
  stack(env, [...f, 'down', '-t', '0']);
  await killSupervisors(project);
  expect(objectsNaming(newObjects(before, snapshotHostObjects()), [env.root, project])).toEqual({});
  env.dispose();
});

describe("up --scale and the network's subnet", () => {
  it('plans a subnet with room for the scale asked for', () => {
    const planned = stack(env, [...f, 'plan', '--scale', 'w=500']);
    expect(planned.code).toBe(0);
    expect(planned.stdout).toMatch(/subnet=10\.123\.\d+\.0\/22 /);
    expect(planned.stdout.split('\n').filter((l) => / container\.start /.test(l))).toHaveLength(500);
  });

  it("refuses a scale past the running network's subnet with one problem, changing nothing", () => {
    expect(stack(env, [...f, 'up', '-d']).code).toBe(0);
    const scaled = stack(env, [...f, 'up', '-d', '--scale', 'w=300']);
    expect(scaled.code).toBe(1);
    const lines = scaled.stderr.split('\n').filter((l) => l.includes('no free address'));
    expect(lines).toEqual([
      expect.stringMatching(
        /^.*network default: no free address left in 10\.123\.\d+\.0\/24 for 47 of the 300 containers on it \(w: 47 of 300\); .*`stack down` and `up` again/,
      ),
    ]);
    expect((psJson(stack(env, [...f, 'ps', '-a', '--format', 'json']).stdout) as unknown[]).length).toBe(1);
  });
});
