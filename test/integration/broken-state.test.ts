// Broken or missing state on the real kernel: a stack's records (container, network, NAT,
// journal) truncated, emptied, replaced with garbage, `{}` or another shape, or deleted, one
// at a time while the stack runs. After each, `ps` names a damaged record with its path and
// exits 1, `up` converges (what the record described is removed by name and made afresh:
// nothing runs twice) and `down` leaves no host object. A damaged record of one stack never
// stops the commands of another.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  httpGet,
  importTestImage,
  makeStackEnv,
  stack,
  uniqueProject,
  sleeperService,
  webService,
  type StackEnv,
} from '../support/stack-cli.js';
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { bridgeName, containerName, natTableName } from '../../model/names.js';
import { isAlive, killSupervisors } from '../support/processes.js';
import { psJson } from '../support/ps-json.js';

interface Row {
  service: string;
  state: string;
  pid?: number;
}

let env: StackEnv;
const projects: string[] = [];
const before = snapshotHostObjects();

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
});

afterAll(async () => {
  for (const p of projects) {
    stack(env, ['-p', p, 'down', '-t', '0']);
    await killSupervisors(p);
  }
  env.dispose();
});

/** A stack of a published web server and a worker; returns its `-f` arguments. */
function stackFile(project: string, port: number): string[] {
  projects.push(project);
  const file = path.join(env.root, `${project}.yaml`);
  fs.writeFileSync(
    file,
    `name: ${project}
services:
${webService([`127.0.0.1:${port}:80`], '    stop_grace_period: 0s\n')}  worker:
${sleeperService()}`,
  );
  return ['-f', file];
}

const stateDir = (project: string) => path.join(env.env.STACK_ROOT!, 'stacks', project, 'state');
const records = {
  container: (project: string) => path.join(stateDir(project), 'containers', `${containerName(project, 'web')}.json`),
  network: (project: string) => path.join(stateDir(project), 'networks', 'default.json'),
  nat: (project: string) => path.join(stateDir(project), 'nat.json'),
  journal: (project: string) => path.join(env.env.STACK_ROOT!, 'stacks', project, 'journal.jsonl'),
};
type Kind = keyof typeof records;

const damages: Record<string, (file: string) => void> = {
  truncated: (file) =>
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, Math.floor(fs.statSync(file).size / 2))),
  emptied: (file) => fs.writeFileSync(file, ''),
  garbage: (file) => fs.writeFileSync(file, '\u0000\u00ffnot json at all'),
  '{}': (file) => fs.writeFileSync(file, '{}\n'),
  'of another shape': (file) =>
    fs.writeFileSync(file, JSON.stringify({ spec: { name: 42 }, t: 'plan', project: 7 }) + '\n'),
  deleted: (file) => fs.rmSync(file),
};

function ps(f: string[]): Row[] {
  const r = stack(env, [...f, 'ps', '-a', '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return (psJson(r.stdout) as Row[]).sort((a, b) => a.service.localeCompare(b.service));
}

function up(f: string[]): string {
  const r = stack(env, [...f, 'up', '-d']);
  expect(r.code, r.stderr).toBe(0);
  return r.stderr;
}

async function expectRunning(f: string[], port: number): Promise<Row[]> {
  const rows = ps(f);
  expect(rows.map((r) => [r.service, r.state])).toEqual([
    ['web', 'running'],
    ['worker', 'running'],
  ]);
  expect(await httpGet(`http://127.0.0.1:${port}/`)).toContain('hello from stack');
  return rows;
}

/** `down` succeeds and leaves no host object and no state of the project. */
function expectDownClean(f: string[], project: string): void {
  const down = stack(env, [...f, 'down', '-t', '0']);
  expect(down.code, down.stderr).toBe(0);
  const names = [project, bridgeName(project, 'default'), natTableName(project)];
  expect(objectsNaming(newObjects(before, snapshotHostObjects()), names)).toEqual({});
  expect(fs.existsSync(path.join(env.env.STACK_ROOT!, 'stacks', project))).toBe(false);
  expect(fs.existsSync(path.join(env.env.STACK_RUN!, project))).toBe(false);
}

const cases: [Kind, string][] = [
  ...(['truncated', 'emptied', 'garbage', '{}', 'of another shape', 'deleted'] as const).map((d): [Kind, string] => [
    'container',
    d,
  ]),
  ...(['truncated', '{}', 'deleted'] as const).map((d): [Kind, string] => ['network', d]),
  ...(['truncated', 'garbage', 'deleted'] as const).map((d): [Kind, string] => ['nat', d]),
  ['journal', 'garbage'],
  ['journal', 'of another shape'],
];

describe('a damaged or deleted record of a running stack', () => {
  for (const [kind, damage] of cases) {
    it(`${kind} record ${damage}: ps names it, up converges without a second copy, down leaves nothing`, async () => {
      const project = uniqueProject('tbrk');
      const port = await freePort();
      const f = stackFile(project, port);
      up(f);
      const old = await expectRunning(f, port);
      damages[damage]!(records[kind](project));

      // ps reads the container and NAT records (for ports), not the network's.
      if ((kind === 'container' || kind === 'nat') && damage !== 'deleted') {
        const r = stack(env, [...f, 'ps']);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`state record ${records[kind](project)} is damaged`);
      }
      const out = up(f);
      if (kind !== 'journal' && damage !== 'deleted') expect(out).toContain(records[kind](project));
      const rows = await expectRunning(f, port);
      if (kind === 'container') {
        // The old web was stopped before its successor started: one web, never two.
        const oldWeb = old.find((r) => r.service === 'web')!.pid!;
        expect(rows.find((r) => r.service === 'web')!.pid).not.toBe(oldWeb);
        expect(isAlive(oldWeb)).toBe(false);
      }
      expect(up(f)).toMatch(/is up to date/);
      expectDownClean(f, project);
    });
  }

  const straightToDown: [string, (project: string) => void][] = [
    ['a container record is truncated', (project) => damages.truncated!(records.container(project))],
    ['every record is deleted', (project) => fs.rmSync(stateDir(project), { recursive: true })],
  ];
  for (const [what, damage] of straightToDown) {
    it(`down straight after ${what} removes everything`, async () => {
      const project = uniqueProject('tbrkd');
      const port = await freePort();
      const f = stackFile(project, port);
      up(f);
      const old = await expectRunning(f, port);
      damage(project);
      expectDownClean(f, project);
      expect(old.filter((r) => isAlive(r.pid!))).toEqual([]);
    });
  }
});

describe('a damaged record of another stack', () => {
  it('is skipped with a warning naming it: up, ps and down of this stack work', async () => {
    const a = uniqueProject('tbrka');
    const b = uniqueProject('tbrkb');
    const fa = stackFile(a, await freePort());
    const portB = await freePort();
    const fb = stackFile(b, portB);
    up(fa);
    damages.truncated!(records.container(a));
    const out = up(fb);
    expect(out).toContain(`state record ${records.container(a)} is damaged`);
    await expectRunning(fb, portB);
    expectDownClean(fb, b);
    expectDownClean(fa, a);
  });
});

describe('a stack file broken while its stack runs', () => {
  it('ps and down say the file is broken and how to name the project, exit 1; with -p they work', async () => {
    const project = uniqueProject('tbrkf');
    const port = await freePort();
    const f = stackFile(project, port);
    up(f);
    fs.appendFileSync(f[1]!, '  broken: [\n');
    for (const command of [['ps'], ['down', '-t', '0']]) {
      const r = stack(env, [...f, ...command]);
      expect(r.code, r.stdout).toBe(1);
      expect(r.stderr).toMatch(/stack file .* cannot be read.*-p NAME/s);
    }
    expect(stack(env, ['-p', project, 'ps', '-a', '--format', 'json']).stdout).toContain('"running"');
    expectDownClean(['-p', project], project);
  });
});
