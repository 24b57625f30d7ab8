// Two different stacks brought up at the same moment (both CLIs spawned at once), each
// with an automatic subnet and a host port stack chooses: they must never be given the
// same subnet or the same host port. Each stack's own lock does not order them; the
// host-wide allocation lock and the claims of the apply in progress do. Several rounds,
// each ending with both stacks down and no host object of theirs left.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  stack,
  uniqueProject,
  type StackEnv,
  webService,
} from '../support/stack-cli.js';
import { startStack } from '../support/processes.js';
import { ps } from '../support/stack-containers.js';
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { bridgeName, natTableName } from '../../model/names.js';
import type { NetworkSpec } from '../../model/plan.js';

const ROUNDS = 4;

let env: StackEnv;

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
});

afterAll(() => env?.dispose());

it(`two stacks coming up at once never share a subnet or a chosen host port (${ROUNDS} rounds)`, async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const projects = [uniqueProject('tallca'), uniqueProject('tallcb')];
    const files = projects.map((p) => {
      const f = path.join(env.root, `${p}.yaml`);
      // No host port: stack chooses one from the ephemeral range, on loopback only.
      fs.writeFileSync(f, `name: ${p}\nservices:\n${webService(['127.0.0.1::80'], '    stop_grace_period: 0s\n')}`);
      return f;
    });
    const before = snapshotHostObjects();
    try {
      const ups = await Promise.all(files.map((f) => startStack(env, ['-f', f, 'up', '-d']).result));
      for (const up of ups) expect(up.code, up.stderr).toBe(0);
      const subnets = projects.map((p) => subnetOf(p));
      expect(subnets[0], `round ${round}: both stacks got subnet ${subnets[0]}`).not.toBe(subnets[1]);
      const ports = files.map((f) => ps(env, f)[0]!.ports);
      expect(ports[0]).toHaveLength(1);
      expect(ports[0], `round ${round}: both stacks publish ${ports[0]}`).not.toEqual(ports[1]);
    } finally {
      for (const f of files) stack(env, ['-f', f, 'down', '-t', '0']);
    }
    const names = [...projects, env.root, ...projects.flatMap((p) => [bridgeName(p, 'default'), natTableName(p)])];
    expect(objectsNaming(newObjects(before, snapshotHostObjects()), names)).toEqual({});
  }
});

/** The subnet the stack's state record gives its default network. */
function subnetOf(project: string): string {
  const record = path.join(env.env.STACK_ROOT!, 'stacks', project, 'state', 'networks', 'default.json');
  return (JSON.parse(fs.readFileSync(record, 'utf8')) as NetworkSpec).subnet;
}
