// The supervisor over many operations holds what it held after one: no socket, pipe,
// child process or timer handle per exec, restart or edit stays behind (issue 14, "Scale
// and memory": the supervisor's RSS grew over restart/exec/edit cycles). Counted through
// its `resources` request (supervisor/resources.ts). Its RSS is measured by
// bench/supervisor-memory.mjs: a figure such as that has no place in a test.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askResources } from '../../supervisor/resources-client.js';
import {
  importTestImage,
  makeStackEnv,
  sleeperService,
  stack,
  uniqueProject,
  writeStackFile,
  type StackEnv,
} from '../support/stack-cli.js';

const CYCLES = 10;

let env: StackEnv;
let project: string;
let file: string;

const services = (mode: string) =>
  `  api:\n${sleeperService(`    environment: { MODE: "${mode}" }\n`)}  worker:\n${sleeperService('    restart: always\n')}`;

function ok(args: string[]): void {
  const r = stack(env, ['-f', file, ...args]);
  expect(r.code, r.stderr).toBe(0);
}

/** One of each operation of the memory bench: an exec, a restart, an edit applied by `up -d`. */
function cycle(i: number): void {
  ok(['exec', '-T', 'api', 'true']);
  ok(['restart', '-t', '0', 'worker']);
  fs.writeFileSync(file, `name: ${project}\nservices:\n${services(`m${i}`)}`);
  ok(['up', '-d']);
}

const resources = () => askResources(path.join(env.env.STACK_RUN!, project, 'supervisor.sock'));

/**
 * The supervisor's handles once they stop changing: the connection of the command that
 * just returned (and of the last `resources` request) closes on the supervisor's side a
 * moment after the command has its answer.
 */
async function settledHandles(): Promise<Record<string, number>> {
  let last = JSON.stringify((await resources()).handles);
  for (let same = 0; same < 3;) {
    await new Promise((r) => setTimeout(r, 100));
    const now = JSON.stringify((await resources()).handles);
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return JSON.parse(last) as Record<string, number>;
}

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  project = uniqueProject('tres');
  file = writeStackFile(env, project, services('m0'));
  ok(['up', '-d']);
});

afterAll(() => {
  stack(env, ['-f', file, 'down', '-t', '0']);
  env.dispose();
});

describe('the supervisor after many operations', () => {
  // ~30 CLI commands: more than the default minute on a busy 2-core host.
  it(`holds the same handles after ${CYCLES} exec/restart/edit cycles as after one`, { timeout: 300_000 }, async () => {
    cycle(0);
    const first = await settledHandles();
    for (let i = 1; i <= CYCLES; i++) cycle(i);
    expect(await settledHandles()).toEqual(first);
  });

  it('answers with its memory by kind', async () => {
    const { memory } = await resources();
    expect(memory.heapUsed).toBeGreaterThan(0);
    expect(memory.heapUsed).toBeLessThanOrEqual(memory.heapTotal);
    expect(memory.rssAnon).toBeGreaterThan(0);
    expect(memory.rssFile).toBeGreaterThan(0);
  });
});
