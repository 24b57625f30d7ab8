// `stack --compatibility`: the containers are shown (ps) and answered in the stack's DNS as
// compose v1 named them, `<project>_<service>_1`, as docker compose v2 does with the flag.

import { beforeAll, expect, it } from 'vitest';
import { sleeperService, stack, writeStackFile } from '../support/stack-cli.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';
import { psJson } from '../support/ps-json.js';

const one = oneStackUnderTest('tcompat');
const run = (...args: string[]) => stack(one.env, ['-f', one.file, ...args]);

beforeAll(() => {
  writeStackFile(one.env, one.project, `  web:\n${sleeperService()}`);
});

it('names the containers project_service_1 in ps and in DNS', () => {
  const up = run('--compatibility', 'up', '-d');
  expect(up.code, up.stderr).toBe(0);
  const names = psJson<{ Name: string }>(run('ps', '--format', 'json').stdout).map((r) => r.Name);
  expect(names).toEqual([`${one.project}_web_1`]);
  const lookup = run('exec', 'web', 'nslookup', `${one.project}_web_1`, '127.0.0.11');
  expect(lookup.code, lookup.stderr + lookup.stdout).toBe(0);
  expect(run('down', '-t', '0').code).toBe(0);
});
