// `stack create`, as docker compose create: real containers in a created state (a record,
// the container's folder with the overlay's upper and work folders, its cgroup), no
// process; `ps -a` shows them created, `start` and `up` start them, `down` removes them.
// Before, create did what `up --no-start` does: no container at all.

import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { sleeperService, stack, writeStackFile } from '../support/stack-cli.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';
import { killSupervisors } from '../support/processes.js';
import { psJson } from '../support/ps-json.js';

const one = oneStackUnderTest('tcreate');
const run = (...args: string[]) => stack(one.env, ['-f', one.file, ...args]);

beforeAll(() => {
  writeStackFile(one.env, one.project, `  db:\n${sleeperService()}  web:\n${sleeperService('    depends_on: [db]\n')}`);
});

interface Row {
  Name: string;
  Service: string;
  State: string;
}
const states = () =>
  Object.fromEntries(psJson<Row>(run('ps', '-a', '--format', 'json').stdout).map((r) => [r.Service, r.State]));
const containerDir = (service: string) =>
  path.join(one.env.env.STACK_ROOT!, 'stacks', one.project, 'containers', `${one.project}-${service}-1`);

it('creates the containers without starting them; start starts them, down removes them', () => {
  const created = run('create');
  expect(created.code, created.stderr).toBe(0);
  expect(states()).toEqual({ db: 'created', web: 'created' });
  expect(fs.existsSync(path.join(containerDir('web'), 'upper'))).toBe(true);
  // Nothing runs: ps without -a lists none.
  expect(psJson(run('ps', '--format', 'json').stdout)).toEqual([]);
  const started = run('start');
  expect(started.code, started.stderr).toBe(0);
  expect(states()).toEqual({ db: 'running', web: 'running' });
  expect(run('down', '-t', '0').code).toBe(0);
  expect(fs.existsSync(containerDir('web'))).toBe(false);
});

it('up starts created containers, also after the supervisor was killed with -9 in between', async () => {
  expect(run('create').code).toBe(0);
  await killSupervisors(one.project);
  const up = run('up', '-d');
  expect(up.code, up.stderr).toBe(0);
  expect(states()).toEqual({ db: 'running', web: 'running' });
  expect(run('down', '-t', '0').code).toBe(0);
});

it('down removes created containers after a kill -9 of the supervisor', async () => {
  expect(run('create', 'db').code).toBe(0);
  expect(states()).toEqual({ db: 'created' });
  await killSupervisors(one.project);
  expect(run('down', '-t', '0').code).toBe(0);
  expect(states()).toEqual({});
  expect(fs.existsSync(containerDir('db'))).toBe(false);
});
