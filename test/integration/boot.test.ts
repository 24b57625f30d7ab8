// After a reboot: `stack boot` brings a stack back as docker brings containers back when its
// daemon starts — `always` ones (even those stopped by hand), `unless-stopped` ones unless
// stopped by hand, never `no` or `on-failure` ones. The reboot is simulated on the real
// kernel (test/support/reboot.ts): every process of the stack SIGKILLed, its links, table,
// cgroups, mounts and run state gone; then from a partial state, as when it was no reboot.
// `up` installs the stack's systemd unit (in a folder of the test's) and `down` removes it.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeName } from '../../model/names.js';
import {
  freePort,
  httpGet,
  importTestImage,
  makeStackEnv,
  sleeperService,
  stack,
  uniqueProject,
  TEST_IMAGE,
  type StackEnv,
} from '../support/stack-cli.js';
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { isAlive, killAndWait, killSupervisors, supervisorPids, waitFor } from '../support/processes.js';
import { simulateReboot } from '../support/reboot.js';
import { psJson } from '../support/ps-json.js';

interface Row {
  service: string;
  state: string;
  pid?: number;
  stopped?: boolean;
}

let env: StackEnv;
let file: string;
let project: string;
let units: string;
const ports = { web: 0, api: 0 };
const before = snapshotHostObjects();

const ps = (): Row[] => {
  const r = stack(env, ['-p', project, 'ps', '-a', '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return psJson(r.stdout) as Row[];
};
const running = () =>
  ps()
    .filter((r) => r.state === 'running')
    .map((r) => r.service)
    .sort();
const pidOf = (service: string) => ps().find((r) => r.service === service)?.pid;

function ok(args: string[]): string {
  const r = stack(env, args);
  expect(r.code, r.stderr).toBe(0);
  return r.stderr;
}

async function bothAnswer(): Promise<void> {
  expect(await httpGet(`http://127.0.0.1:${ports.web}/`)).toContain('hello from stack');
  expect(await httpGet(`http://127.0.0.1:${ports.api}/`)).toContain('hello from stack');
}

/** web reaches api by its service name: the stack's DNS server answers on the remade bridge. */
function byName(): void {
  const r = stack(env, ['-p', project, 'exec', '-T', 'web', 'wget', '-qO-', 'http://api/']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain('hello from stack');
}

const httpd = (port: number, restart: string) => `    image: ${TEST_IMAGE}
    command: httpd -f -p 80 -h /www
    ports: ["127.0.0.1:${port}:80"]
    restart: ${restart}
    stop_grace_period: 0s
`;

beforeAll(async () => {
  env = makeStackEnv();
  units = env.env.STACK_SYSTEMD_UNIT_DIR!;
  importTestImage(env);
  project = uniqueProject('tboot');
  ports.web = await freePort();
  ports.api = await freePort();
  file = path.join(env.root, 'stack.yaml');
  fs.writeFileSync(
    file,
    `name: ${project}
services:
  web:
${httpd(ports.web, 'always')}  api:
${httpd(ports.api, 'unless-stopped')}  held:
${sleeperService('    restart: unless-stopped\n')}  pinned:
${sleeperService('    restart: always\n')}  oneshot:
${sleeperService('    restart: "no"\n')}  retry:
${sleeperService('    restart: on-failure\n')}`,
  );
  ok(['-f', file, 'up', '-d']);
  await bothAnswer();
  ok(['-f', file, 'stop', 'held', 'pinned']);
});

afterAll(async () => {
  stack(env, ['-p', project, 'down', '-t', '0']);
  await killSupervisors(project);
  env.dispose();
});

describe('stack boot after a reboot', () => {
  it("up installs the stack's systemd unit, enabled for multi-user.target", () => {
    const unit = path.join(units, `stack-${project}.service`);
    const text = fs.readFileSync(unit, 'utf8');
    expect(text).toMatch(new RegExp(`^ExecStart=".*" ".*bin/stack\\.js" "-p" "${project}" "boot"$`, 'm'));
    expect(text).toContain(`Environment="STACK_ROOT=${env.env.STACK_ROOT}"`);
    expect(fs.readlinkSync(path.join(units, 'multi-user.target.wants', `stack-${project}.service`))).toBe(
      `../stack-${project}.service`,
    );
    // --print-unit shows the same unit, for installing by hand or reading.
    const printed = stack(env, ['-p', project, 'boot', '--print-unit']);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toBe(text);
  });

  it('brings back always and unless-stopped containers, not stopped, no or on-failure ones', async () => {
    expect(running()).toEqual(['api', 'oneshot', 'retry', 'web']);
    await simulateReboot(env, project);
    expect(running()).toEqual([]);
    expect(fs.existsSync(`/sys/class/net/${bridgeName(project, 'default')}`)).toBe(false);

    const boot = stack(env, ['boot']);
    expect(boot.code, boot.stderr).toBe(0);
    // docker's rule: `always` comes back even when stopped by hand; `unless-stopped` does not.
    expect(running()).toEqual(['api', 'pinned', 'web']);
    const rows = ps();
    expect(rows.find((r) => r.service === 'held')).toMatchObject({ state: 'exited', stopped: true });
    await bothAnswer();
    byName();
    expect(supervisorPids(project)).toHaveLength(1);
  });

  it('restart policies work again after the boot', async () => {
    const web = pidOf('web')!;
    process.kill(web, 'SIGKILL');
    await waitFor(() => pidOf('web') !== undefined && pidOf('web') !== web, 15_000, 'web to be restarted');
    await bothAnswer();
  });

  it('a second boot changes nothing', () => {
    const pids = ps().map((r) => r.pid);
    ok(['-p', project, 'boot']);
    expect(ps().map((r) => r.pid)).toEqual(pids);
  });

  it('comes back from a partial state: processes gone, objects left, a recorded pid now another process', async () => {
    await simulateReboot(env, project, { links: false, table: false, cgroups: false, run: false });
    // The pid in web's record now belongs to an unrelated process (its start time differs).
    const stranger = spawn('sleep', ['1000'], { stdio: 'ignore' });
    const record = path.join(env.env.STACK_ROOT!, 'stacks', project, 'state', 'containers', `${project}-web-1.json`);
    const r = JSON.parse(fs.readFileSync(record, 'utf8')) as { pid: number };
    fs.writeFileSync(record, JSON.stringify({ ...r, pid: stranger.pid }));
    try {
      ok(['boot', '-p', project]);
      expect(running()).toEqual(['api', 'pinned', 'web']);
      expect(pidOf('web')).not.toBe(stranger.pid);
      expect(isAlive(stranger.pid!)).toBe(true);
      await bothAnswer();
      byName();
    } finally {
      await killAndWait(stranger.pid!);
    }
  });

  it('down removes the unit and leaves no host object behind', () => {
    ok(['-f', file, 'down', '-t', '0']);
    expect(fs.existsSync(path.join(units, `stack-${project}.service`))).toBe(false);
    expect(fs.existsSync(path.join(units, 'multi-user.target.wants', `stack-${project}.service`))).toBe(false);
    expect(objectsNaming(newObjects(before, snapshotHostObjects()), [project, env.root])).toEqual({});
  });
});

describe("stack boot of two stacks, one joining the other's network", () => {
  // Named so that the joiner comes first in STACK_ROOT: boot must take the owner first,
  // whose boot makes the bridge the joiner's container is attached to.
  let two: StackEnv;
  const owner = uniqueProject('zboot');
  const joiner = uniqueProject('aboot');
  const fileOf = (p: string) => path.join(two.root, `${p}.yaml`);
  const up = (p: string, body: string) => {
    fs.writeFileSync(fileOf(p), `name: ${p}\n${body}`);
    const r = stack(two, ['-f', fileOf(p), 'up', '-d']);
    expect(r.code, r.stderr).toBe(0);
  };
  const runningOf = (p: string) =>
    (psJson(stack(two, ['-p', p, 'ps', '-a', '--format', 'json']).stdout) as Row[])
      .filter((r) => r.state === 'running')
      .map((r) => r.service);

  beforeAll(() => {
    two = makeStackEnv();
    importTestImage(two);
    up(
      owner,
      `services:\n  web:\n    image: ${TEST_IMAGE}\n    command: httpd -f -p 80 -h /www\n    restart: always\n    stop_grace_period: 0s\n    networks: [front]\nnetworks:\n  front: {}\n`,
    );
    up(
      joiner,
      `services:\n  client:\n${sleeperService('    restart: always\n    networks: [shared]\n')}networks:\n  shared:\n    external: true\n    name: ${owner}_front\n`,
    );
  });

  afterAll(async () => {
    for (const p of [joiner, owner]) {
      stack(two, ['-p', p, 'down', '-t', '0']);
      await killSupervisors(p);
    }
    two.dispose();
  });

  it('boots the owner of the network first, and the joiner reaches it again', async () => {
    const processesOnly = { mounts: false, links: false, table: false, cgroups: false, run: false };
    for (const p of [joiner, owner]) await simulateReboot(two, p, processesOnly);
    for (const p of [joiner, owner]) await simulateReboot(two, p);
    const boot = stack(two, ['boot']);
    expect(boot.code, boot.stderr).toBe(0);
    expect(boot.stderr.indexOf(`stack ${owner}:`)).toBeLessThan(boot.stderr.indexOf(`stack ${joiner}:`));
    expect(runningOf(owner)).toEqual(['web']);
    expect(runningOf(joiner)).toEqual(['client']);
    const web = (
      psJson(stack(two, ['-p', owner, 'ps', '-a', '--format', 'json']).stdout) as { addresses: { ip: string }[] }[]
    )[0]!.addresses[0]!.ip;
    const r = stack(two, ['-p', joiner, 'exec', '-T', 'client', 'wget', '-qO-', `http://${web}/`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('hello from stack');
  });
});
