// A stack whose supervisor crashes (kill -9) keeps one copy of each container, gets a new
// supervisor by itself, and says so while it has none; one supervisor per stack, whatever
// happens to its socket file; a killed CLI leaves no boot log of an early supervisor (started
// by bin/stack.js, or by bin/stack's shell: early-supervisor-shell.test.ts has more of that one).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  stack,
  uniqueProject,
  TEST_IMAGE,
  type StackEnv,
} from '../support/stack-cli.js';
import { lookup } from '../support/stack-containers.js';
import { MAX_QUICK_CRASHES } from '../../supervisor/watchdog.js';
import {
  findSupervisorPid,
  isAlive,
  killAndWait,
  killSupervisors,
  earlySupervisorsIn,
  pidsWhere,
  startStack,
  supervisorPids,
  waitFor,
  watchdogPids,
} from '../support/processes.js';
import { psJson } from '../support/ps-json.js';

interface Row {
  service: string;
  state: string;
  pid?: number;
  health?: string;
  addresses?: { ip: string }[];
}

let env: StackEnv;
const projects: string[] = [];

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env, { healthcheck: { Test: ['CMD', 'true'], Interval: 200_000_000 } });
});

afterAll(async () => {
  for (const p of projects) {
    stack(env, ['-p', p, 'down', '-t', '0']);
    await killSupervisors(p);
  }
  env.dispose();
});

/** A stack file of `services` (YAML bodies) under a new project; returns its `-f` arguments. */
function stackFile(prefix: string, services: Record<string, string>): { project: string; f: string[] } {
  const project = uniqueProject(prefix);
  projects.push(project);
  const file = path.join(env.root, `${project}.yaml`);
  const body = Object.entries(services).map(
    ([name, yaml]) => `  ${name}:\n    image: ${TEST_IMAGE}\n    stop_grace_period: 1s\n${yaml.replace(/^/gm, '    ')}`,
  );
  fs.writeFileSync(file, `name: ${project}\nservices:\n${body.join('\n')}\n`);
  return { project, f: ['-f', file] };
}

function ok(args: string[]): string {
  const r = stack(env, args);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout + r.stderr;
}

function ps(f: string[]): Row[] {
  const r = stack(env, [...f, 'ps', '-a', '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return psJson(r.stdout) as Row[];
}

/** A `sleep` argument no other test uses: the container's processes are found by it. */
const uniqueSleep = () => String(1_000_000 + Math.floor(Math.random() * 8_000_000));

/** Live (non-zombie) processes running `sleep <arg>`. */
function sleepers(arg: string): number[] {
  return pidsWhere((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') === `sleep\0${arg}\0` && isAlive(pid));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a container stopped and started again after a supervisor crash', () => {
  // `restart`, and `up` of a changed service with a writable volume (replaced stop-first
  // under the same name): both stop the adopted process, then start the next one.
  const cases = [
    { how: 'stack restart', yaml: '', again: (f: string[]) => ok([...f, 'restart', 'web']) },
    {
      how: 'a stop-first recreate through up',
      yaml: '\nvolumes: ["data:/data"]',
      again: (f: string[]) => {
        fs.writeFileSync(
          f[1]!,
          fs
            .readFileSync(f[1]!, 'utf8')
            .replace('restart: always', 'restart: always\n    environment: { CHANGED: "1" }'),
        );
        ok([...f, 'up', '-d']);
      },
    },
  ];
  it.each(cases)('runs one copy of it after $how', async ({ yaml, again }) => {
    const arg = uniqueSleep();
    const { project, f } = stackFile('tsadopt', { web: `command: sleep ${arg}\nrestart: always${yaml}` });
    if (yaml) fs.appendFileSync(f[1]!, 'volumes:\n  data: {}\n');
    ok([...f, 'up', '-d']);
    await killAndWait(await waitFor(() => findSupervisorPid(project), 5000, 'the supervisor'));
    again(f);
    // An exit charged to the wrong process shows within the adopter's /proc poll (250 ms)
    // plus the restart backoff (100 ms); this waits well past both.
    await sleep(1500);
    expect(sleepers(arg)).toHaveLength(1);
    expect(ps(f).map((r) => r.state)).toEqual(['running']);
  });
});

describe('a supervisor killed while its stack runs', () => {
  it('comes back by itself, adopts its containers and restarts one that died meanwhile', async () => {
    const { project, f } = stackFile('tsback', {
      web: 'command: sleep 1000\nrestart: always',
      once: 'command: sleep 1000',
    });
    ok([...f, 'up', '-d']);
    const before = Object.fromEntries(ps(f).map((r) => [r.service, r.pid]));
    const supervisor = await waitFor(() => findSupervisorPid(project), 5000, 'the supervisor');
    await waitFor(() => watchdogPids(project).length === 1, 5000, 'its watchdog');
    // The supervisor, then the container: it dies while no supervisor runs.
    await killAndWait(supervisor);
    await killAndWait(before.web!);
    const next = await waitFor(() => supervisorPids(project).find((p) => p !== supervisor), 5000, 'a new supervisor');
    await waitFor(
      () => ps(f).find((r) => r.service === 'web' && r.state === 'running' && r.pid !== before.web),
      5000,
      'web to be restarted',
    );
    expect(ps(f).find((r) => r.service === 'once')?.pid).toBe(before.once);
    expect(supervisorPids(project)).toEqual([next]);
    // It serves the stack's names again: the adopted container finds the restarted one.
    const web = ps(f).find((r) => r.service === 'web')!;
    await waitFor(() => lookup(before.once!, 'web').includes(web.addresses![0]!.ip), 5000, 'DNS to answer web');
  });

  it('restarts a container that was waiting out its restart backoff when the supervisor died', async () => {
    const { project, f } = stackFile('tsbackoff', {
      web: 'command: ["sh", "-c", "sleep 1; exit 3"]\ndeploy:\n  restart_policy: { condition: any, delay: 4s }',
    });
    ok([...f, 'up', '-d']);
    const supervisor = await waitFor(() => findSupervisorPid(project), 5000, 'the supervisor');
    await waitFor(() => watchdogPids(project).length === 1, 5000, 'its watchdog');
    // It exited; its restart is 4 s away when the supervisor dies.
    const first = ps(f)[0]!.pid;
    await waitFor(() => ps(f)[0]!.state.startsWith('exited'), 5000, 'web to exit');
    await killAndWait(supervisor);
    await waitFor(() => supervisorPids(project).find((p) => p !== supervisor), 5000, 'a new supervisor');
    await waitFor(() => ps(f).find((r) => r.state === 'running' && r.pid !== first), 20_000, 'web to be restarted');
  });

  it('is not replaced any more after a crash loop: supervisors that die soon after their start', async () => {
    const { project, f } = stackFile('tsloop', { web: 'command: sleep 1000' });
    ok([...f, 'up', '-d']);
    const log = path.join(env.env.STACK_ROOT!, 'stacks', project, 'supervisor.log');
    const seen = new Set<number>();
    for (let i = 0; i < MAX_QUICK_CRASHES; i++) {
      // Each is killed once it has started its watchdog (a new one: the last one's may not
      // have become the next supervisor yet), well within QUICK_CRASH_MS of its start.
      const watchdog = await waitFor(() => watchdogPids(project).find((p) => !seen.has(p)), 5000, `watchdog ${i + 1}`);
      seen.add(watchdog);
      await killAndWait(await waitFor(() => findSupervisorPid(project), 5000, `supervisor ${i + 1}`));
    }
    await waitFor(
      () => /this one is not replaced if it crashes too/.test(fs.readFileSync(log, 'utf8')),
      5000,
      'the last supervisor to give up its watchdog',
    );
    expect(watchdogPids(project)).toEqual([]);
    expect(supervisorPids(project)).toHaveLength(1);
  });

  it('is reported by ps while none runs, and no health is claimed', async () => {
    const { project, f } = stackFile('tsps', { web: 'command: sleep 1000' });
    ok([...f, 'up', '-d']);
    await waitFor(() => ps(f)[0]?.health === 'healthy', 10_000, 'web to be healthy');
    // Its watchdog first (it would start another), then the supervisor itself.
    await killAndWait(await waitFor(() => watchdogPids(project)[0], 5000, 'its watchdog'));
    await killAndWait(await waitFor(() => findSupervisorPid(project), 5000, 'the supervisor'));
    const r = stack(env, [...f, 'ps']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/supervisor is not running/);
    expect(r.stdout).not.toMatch(/healthy/);
    expect(ps(f)[0]?.health).not.toBe('healthy');
    // The next command starts one, which adopts the stack and checks its health again.
    ok([...f, 'up', '-d']);
    await waitFor(() => ps(f)[0]?.health === 'healthy', 10_000, 'web to be healthy again');
    expect(stack(env, [...f, 'ps']).stderr).not.toMatch(/not running/);
  });
});

describe('an up refused after its supervisor started', () => {
  it('leaves neither the supervisor nor its watchdog', async () => {
    // A host port held here: the supervisor's own plan refuses the file.
    const server = net.createServer();
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
    );
    try {
      const { project, f } = stackFile('tsrefuse', { web: `command: sleep 1000\nports: ["127.0.0.1:${port}:80"]` });
      const r = stack(env, [...f, 'up', '-d']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/is taken by pid/);
      expect(watchdogPids(project)).toEqual([]);
      expect(supervisorPids(project)).toEqual([]);
    } finally {
      server.close();
    }
  });
});

describe('a deleted supervisor socket', () => {
  it('does not let a second supervisor start: the one holding the lock serves a new socket', async () => {
    const { project, f } = stackFile('tssock', { a: 'command: sleep 1000\nrestart: always' });
    ok([...f, 'up', '-d']);
    const supervisor = await waitFor(() => findSupervisorPid(project), 5000, 'the supervisor');
    const socket = path.join(env.env.STACK_RUN!, project, 'supervisor.sock');
    fs.rmSync(socket);
    ok([...f, 'up', '-d']);
    ok([...f, 'ps']);
    expect(supervisorPids(project)).toEqual([supervisor]);
    // It made its socket again: the next command reaches it.
    await waitFor(() => fs.existsSync(socket), 5000, 'the socket to come back');
    expect(ok([...f, 'up', '-d'])).toMatch(/up to date/);
    expect(supervisorPids(project)).toEqual([supervisor]);
  });
});

describe('an early-started supervisor', () => {
  // Its own STACK_RUN: `up` starts a supervisor early only where none runs yet.
  let own: StackEnv;
  beforeAll(() => {
    own = makeStackEnv();
  });
  afterAll(() => own.dispose());

  /** The supervisor `up` started early (it waits for its project on stdin), child of `cli`. */
  function earlySupervisorOf(cli: number): number | undefined {
    return pidsWhere((pid) => {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return ppid === cli && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--project-from-stdin');
    })[0];
  }

  /**
   * Runs `kill` on an `up -d` that waits for the stack lock (held by a `flock` here), its
   * early supervisor not yet told its project; then lets the lock go.
   */
  async function whileUpWaitsForTheLock(
    kill: (cli: number, early: number, bootLog: string) => Promise<void>,
  ): Promise<void> {
    const project = uniqueProject('tsboot');
    const file = path.join(own.root, `${project}.yaml`);
    fs.writeFileSync(file, `name: ${project}\nservices:\n  a:\n    image: ${TEST_IMAGE}\n    command: sleep 1000\n`);
    fs.mkdirSync(own.env.STACK_RUN!, { recursive: true, mode: 0o700 });
    const lockFile = path.join(own.env.STACK_RUN!, `${project}.lock`);
    const holder = spawn('flock', [lockFile, 'sleep', '60'], { stdio: 'ignore' });
    const up = startStack(own, ['-f', file, 'up', '-d']);
    try {
      await waitFor(() => /waiting for the lock/.test(up.stderr()), 10_000, 'up to wait for the lock');
      const cli = up.child.pid!;
      const early = await waitFor(() => earlySupervisorOf(cli), 5000, 'the early supervisor');
      await kill(cli, early, path.join(os.tmpdir(), `stack-supervisor-boot-${cli}.log`));
    } finally {
      up.child.kill('SIGKILL');
      holder.kill('SIGKILL');
      await up.result;
    }
  }

  it('exits without a trace when the CLI that started it is killed', async () => {
    await whileUpWaitsForTheLock(async (cli, early, bootLog) => {
      await killAndWait(cli);
      await waitFor(() => !isAlive(early), 5000, 'the early supervisor to exit');
      expect(fs.existsSync(bootLog)).toBe(false);
      expect(handOverFiles()).toEqual([]);
    });
  });

  it('is gone, with no boot log, after an `up` that stops at a usage error: bin/stack.js started it before the command line was read', async () => {
    const project = uniqueProject('tsusage');
    const file = path.join(own.root, `${project}.yaml`);
    fs.writeFileSync(file, `name: ${project}\nservices:\n  a:\n    image: ${TEST_IMAGE}\n    command: sleep 1000\n`);
    fs.mkdirSync(own.env.STACK_RUN!, { recursive: true, mode: 0o700 }); // where bin/stack starts it, as here
    const up = startStack(own, ['-f', file, 'up', '-d', '--no-such-flag']);
    const cli = up.child.pid!;
    const result = await up.result;
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown option '--no-such-flag'/);
    // It reads EOF on its stdin once the CLI is gone, and exits.
    await waitFor(() => earlySupervisorsIn(own.env.STACK_RUN!).length === 0 || undefined, 5000, 'no early supervisor');
    expect(fs.existsSync(path.join(os.tmpdir(), `stack-supervisor-boot-${cli}.log`))).toBe(false);
    expect(fs.existsSync(path.join(own.env.STACK_RUN!, project))).toBe(false);
    expect(handOverFiles()).toEqual([]);
  });

  /** What bin/early-supervisor.sh hands over through STACK_RUN (it unlinks both at once). */
  const handOverFiles = () => fs.readdirSync(own.env.STACK_RUN!).filter((n) => n.startsWith('.early-supervisor-'));

  it('leaves no boot log when it is killed along with the CLI', async () => {
    await whileUpWaitsForTheLock(async (cli, early, bootLog) => {
      await killAndWait(early);
      await killAndWait(cli);
      expect(fs.existsSync(bootLog)).toBe(false);
      expect(handOverFiles()).toEqual([]);
    });
  });
});
