// `stack ps` as docker compose's: running containers unless -a, compose's JSON objects one
// per line (read here by a script written for `docker compose ps --format json`), -q,
// --services, --status/--filter, SERVICE…, Go templates, --no-trunc and --orphans=false.

import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort, sleeperService, stack, TEST_IMAGE, webService, type StackEnv } from '../support/stack-cli.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';
import { psJson } from '../support/ps-json.js';
import { waitFor } from '../support/processes.js';

let env: StackEnv;
let file: string;
let project: string;
let port: number;
const one = oneStackUnderTest('tpsflags');

const services =
  () => `${webService([`127.0.0.1:${port}:80`], '    labels: { tier: front }\n    volumes: ["data:/data"]\n')}  job:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "exit 3"]
  extra:
${sleeperService()}`;

beforeAll(async () => {
  ({ env, file, project } = one);
  port = await freePort();
  fs.writeFileSync(file, `name: ${project}\nservices:\n${services()}volumes:\n  data: {}\n`);
  const up = stack(env, ['-f', file, 'up', '-d']);
  expect(up.code, up.stderr).toBe(0);
  await waitFor(
    () =>
      psJson<{ Service: string; State: string }>(ps('-a', '--format', 'json')).find((r) => r.Service === 'job')
        ?.State === 'exited',
    20_000,
    'job to exit',
  );
}, 60_000);

function ps(...args: string[]): string {
  const r = stack(env, ['-f', file, 'ps', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** What a script written for docker compose does with `docker compose ps --format json`. */
const COMPOSE_SCRIPT = `
let input = '';
process.stdin.on('data', (d) => (input += d)).on('end', () => {
  for (const line of input.split('\\n').filter(Boolean)) {
    const c = JSON.parse(line);
    console.log([c.Service, c.State, c.Status.split(' ')[0], c.ExitCode, c.Publishers.map((p) => p.URL + ':' + p.PublishedPort + '->' + p.TargetPort + '/' + p.Protocol).join(',')].join(' '));
  }
});`;

describe('ps --format json', () => {
  it("prints compose's objects, one per line, that a compose script reads; running ones unless -a", () => {
    const read = (stdout: string) =>
      spawnSync(process.execPath, ['-e', COMPOSE_SCRIPT], { input: stdout, encoding: 'utf8' })
        .stdout.split('\n')
        .filter(Boolean)
        .sort();
    expect(read(ps('--format', 'json'))).toEqual(['extra running Up 0 ', `web running Up 0 127.0.0.1:${port}->80/tcp`]);
    expect(read(ps('-a', '--format', 'json'))).toContain('job exited Exited 3 ');
  });

  it("has every field of compose's, and stack's own beside them", () => {
    const web = psJson(ps('web', '--format', 'json'));
    expect(web).toHaveLength(1);
    expect(web[0]).toMatchObject({
      Name: `${project}-web-1`,
      Names: `${project}-web-1`,
      Service: 'web',
      Project: project,
      Image: TEST_IMAGE,
      Command: '"httpd -f -p 80 -h /…"',
      State: 'running',
      Status: expect.stringMatching(/^Up /),
      Health: '',
      ExitCode: 0,
      Publishers: [{ URL: '127.0.0.1', TargetPort: 80, PublishedPort: port, Protocol: 'tcp' }],
      Ports: `127.0.0.1:${port}->80/tcp`,
      Labels: expect.stringContaining('tier=front'),
      LocalVolumes: '1',
      Mounts: expect.stringMatching(new RegExp(`^${project}_data`.slice(0, 14))),
      Networks: expect.stringContaining('default'),
      Size: '0B',
      RunningFor: expect.stringMatching(/ ago$/),
      CreatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/),
      Created: expect.any(Number),
      ID: expect.stringMatching(/^[0-9a-f]{12}$/),
      // stack's own fields, under their names
      service: 'web',
      state: 'running',
      pid: expect.any(Number),
      addresses: [expect.objectContaining({ ip: expect.any(String) })],
      restarts: 0,
    });
  });

  it('--no-trunc keeps the whole ID, command and mount names', () => {
    type Row = { ID: string; Mounts: string; Command: string };
    const [short] = psJson<Row>(ps('web', '--format', 'json'));
    const [long] = psJson<Row>(ps('web', '--no-trunc', '--format', 'json'));
    expect(long!.Command).toBe('"httpd -f -p 80 -h /www"');
    expect(long!.ID).toMatch(/^[0-9a-f]{64}$/);
    expect(long!.ID.startsWith(short!.ID)).toBe(true);
    expect(long!.Mounts).toBe(`${project}_data`);
  });
});

describe('ps flags', () => {
  it('-q prints the IDs, --services the service names', () => {
    const ids = psJson<{ ID: string }>(ps('--format', 'json')).map((r) => r.ID);
    expect(ps('-q').split('\n').filter(Boolean).sort()).toEqual(ids.sort());
    expect(ps('-a', '--services').split('\n').filter(Boolean).sort()).toEqual(['extra', 'job', 'web']);
  });

  it('--status and --filter status=… choose by state; a state compose does not know is a usage error', () => {
    expect(ps('--status', 'exited', '--services')).toBe('job\n');
    expect(ps('--filter', 'status=running', '--services').split('\n').filter(Boolean).sort()).toEqual(['extra', 'web']);
    expect(ps('--status', 'exited', '--status', 'running', '-q').split('\n').filter(Boolean)).toHaveLength(3);
    expect(stack(env, ['-f', file, 'ps', '--status', 'sleeping']).code).toBe(2);
    expect(stack(env, ['-f', file, 'ps', '--filter', 'name=web']).code).toBe(2);
  });

  it('SERVICE… keeps their containers only', () => {
    expect(ps('-a', 'job', 'extra', '--services').split('\n').filter(Boolean).sort()).toEqual(['extra', 'job']);
  });

  it('--format TEMPLATE and "table TEMPLATE" as Go templates', () => {
    expect(ps('web', '--format', '{{.Name}}\\t{{.State}} {{json .Publishers}}')).toBe(
      `${project}-web-1\trunning [{"URL":"127.0.0.1","TargetPort":80,"PublishedPort":${port},"Protocol":"tcp"}]\n`,
    );
    expect(ps('web', '--format', 'table {{.Name}}\\t{{.Service}}')).toMatch(
      new RegExp(`^NAME\\s+SERVICE\\n${project}-web-1\\s+web\\n$`),
    );
    expect(stack(env, ['-f', file, 'ps', '--format', '{{range .}}x{{end}}']).code).toBe(2);
  });

  it('--orphans=false leaves out containers of services the file no longer has', () => {
    const without = path.join(env.root, 'without-extra.yaml');
    fs.writeFileSync(without, fs.readFileSync(file, 'utf8').replace(/  extra:\n(    .*\n)+/, ''));
    const names = (...args: string[]) => {
      const r = stack(env, ['-f', without, 'ps', ...args, '--services']);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.split('\n').filter(Boolean).sort();
    };
    expect(names()).toEqual(['extra', 'web']);
    expect(names('--orphans=false')).toEqual(['web']);
  });
});
