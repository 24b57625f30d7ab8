// The fault replay of bench/faults.mjs, a few rounds of each kind so CI guards it: a fresh
// 3-service stack under a client loop on its published port, then kill -9 of the supervisor
// at a random point of up, restart and idle; a container, network, NAT record and the
// journal damaged one at a time; STACK_ROOT on a 16 MiB tmpfs filled up. After each, `up -d`
// converges, no container runs twice and `down` leaves no object of the project.

import { afterAll, describe, expect, it } from 'vitest';
import {
  benchEnv,
  describeFault,
  freePort,
  randomKill,
  replayRound,
  type BenchEnv,
  type Fault,
} from '../../bench/lib/fault-replay.mjs';
import { uniqueProject } from '../support/stack-cli.js';

/** One env per kind of STACK_ROOT, made when first needed (collection makes no host objects). */
const envs = new Map<'disk' | 'full', BenchEnv>();
function envOf(kind: 'disk' | 'full'): BenchEnv {
  if (!envs.has(kind))
    envs.set(kind, kind === 'full' ? benchEnv('test-faults-full', { tmpfs: '16m' }) : benchEnv('test-faults'));
  return envs.get(kind)!;
}

afterAll(() => {
  for (const env of envs.values()) env.dispose();
});

type Damage = Extract<Fault, { kind: 'record' }>['how'];
const records: [string, Damage][] = [
  ['state/containers/PROJECT-looper-1.json', 'truncated'],
  ['state/networks/default.json', 'emptied'],
  ['state/nat.json', 'garbage'],
  ['journal.jsonl', 'deleted'],
];
const faults: Fault[] = [
  ...(['up', 'restart', 'idle'] as const).map((op) => randomKill(Math.random, [op])),
  ...records.map(([file, how]): Fault => ({ kind: 'record', file, how })),
  { kind: 'full' },
];

describe('fault replay', () => {
  for (const fault of faults) {
    it(`${describeFault(fault)}: up converges, nothing runs twice, down leaves nothing`, async () => {
      const env = envOf(fault.kind === 'full' ? 'full' : 'disk');
      const project = uniqueProject('tflt');
      const report = await replayRound({ env: env.env, root: env.root, port: await freePort(), project }, fault);
      expect({
        detail: report.detail,
        problems: report.problems,
        duplicates: report.duplicates,
        leaks: report.leaks,
      }).toEqual({ detail: report.detail, problems: [], duplicates: [], leaks: [] });
    });
  }
});
