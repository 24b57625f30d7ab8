// Compose keys that used to pass validation and then be dropped (issue 18), proved on the
// real kernel from inside the containers of one stack: container_name is the name ps shows
// and the name the other containers resolve.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  sleeperService as sleeper,
  stack,
  uniqueProject,
  writeStackFile,
  type StackEnv,
} from '../support/stack-cli.js';
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { natTableName } from '../../model/names.js';
import { inside, lookup, ps, type PsRow } from '../support/stack-containers.js';

let env: StackEnv;
let project: string;
let file: string;
let rows: PsRow[] = [];
const before = snapshotHostObjects();
const row = (service: string) => rows.find((r) => r.service === service)!;

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  project = uniqueProject('tkeys');
  file = writeStackFile(
    env,
    project,
    `  named:\n${sleeper(`    container_name: ${project}-custom\n`)}  client:\n${sleeper()}`,
  );
  const up = stack(env, ['-f', file, 'up', '-d']);
  if (up.code !== 0) throw new Error(up.stderr);
  rows = ps(env, file);
});

afterAll(() => {
  stack(env, ['-f', file, 'down', '-t', '0']);
  env.dispose();
});

describe('container_name', () => {
  it('is the name ps shows', () => {
    expect(row('named').name).toBe(`${project}-custom`);
    expect(row('client').name).toBe(`${project}-client-1`);
  });

  it('resolves in the other containers, to the container', () => {
    expect(lookup(row('client').pid, `${project}-custom`)).toStrictEqual([row('named').addresses[0]!.ip]);
  });

  it("is in the container's own /etc/hosts", () => {
    expect(inside(row('named').pid, ['cat', '/etc/hosts']).stdout).toContain(`${project}-custom`);
  });
});

describe('down', () => {
  it('leaves nothing of the stack behind', () => {
    expect(stack(env, ['-f', file, 'down', '-t', '0']).code).toBe(0);
    expect(objectsNaming(newObjects(before, snapshotHostObjects()), [project, natTableName(project)])).toEqual({});
  });
});
