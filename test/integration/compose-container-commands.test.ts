// `stack kill`, `rm`, `pause` and `unpause` on the real kernel, as docker compose's commands
// act: a signal reaches the container's process, a kill is final for the restart policy, a
// paused process stops advancing until unpause, rm asks first and removes stopped ones.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stack, TEST_IMAGE } from '../support/stack-cli.js';
import { waitFor } from '../support/processes.js';
import { stacksUnderTest } from '../support/stacks-under-test.js';
import { psJson } from '../support/ps-json.js';

const stacks = stacksUnderTest('tcmd');
const env = () => stacks.env();
const up = (services: string) => stacks.up(services).f;

interface Row {
  service: string;
  state: string;
  pid?: number;
  paused?: boolean;
  stopped?: boolean;
  exitCode?: number;
  restarts: number;
}

/** Counts in /tmp/count (and logs USR1 to /tmp/sig) until it is stopped; PID 1 is the shell. */
const COUNTER = `    image: ${TEST_IMAGE}
    command: ["sh", "-c", "trap 'echo usr1 >> /tmp/sig' USR1; i=0; while true; do i=$$((i+1)); echo $$i > /tmp/count; sleep 0.02; done"]
    stop_grace_period: 0s
`;

const ps = (f: string[]): Row[] => psJson(stack(env(), [...f, 'ps', '-a', '--format', 'json']).stdout) as Row[];
const row = (f: string[], service: string) => ps(f).find((r) => r.service === service);
/** A file in the container's root, read from the host (an exec would join a frozen cgroup on v2). */
const inContainer = (pid: number, file: string) => fs.readFileSync(`/proc/${pid}/root${file}`, 'utf8').trim();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('stack kill', () => {
  it('-s USR1 reaches the process, which goes on running', async () => {
    const f = up(`  counter:\n${COUNTER}`);
    const pid = row(f, 'counter')!.pid!;
    const r = stack(env(), [...f, 'kill', '-s', 'USR1', 'counter']);
    expect(r.code, r.stderr).toBe(0);
    expect(await waitFor(() => fs.existsSync(`/proc/${pid}/root/tmp/sig`) && inContainer(pid, '/tmp/sig'))).toBe(
      'usr1',
    );
    expect(row(f, 'counter')).toMatchObject({ state: 'running', pid });
  });

  it('the default SIGKILL ends it for good: restart: always does not bring it back', async () => {
    const f = up(`  counter:\n${COUNTER}    restart: always\n  other:\n${COUNTER}`);
    const r = stack(env(), [...f, 'kill', 'counter']);
    expect(r.code, r.stderr).toBe(0);
    await waitFor(() => row(f, 'counter')?.state === 'exited');
    expect(row(f, 'counter')).toMatchObject({ exitCode: 137, stopped: true, restarts: 0 });
    expect(row(f, 'other')?.state).toBe('running'); // only the service named
    // `start` brings it back, as after `stop`.
    expect(stack(env(), [...f, 'start', 'counter']).code).toBe(0);
    expect(row(f, 'counter')?.state).toBe('running');
  });

  it('--remove-orphans also removes the containers of services the file no longer has', () => {
    const f = up(`  counter:\n${COUNTER}  gone:\n${COUNTER}`);
    fs.writeFileSync(f[1]!, fs.readFileSync(f[1]!, 'utf8').replace(/  gone:[\s\S]*$/, ''));
    const r = stack(env(), [...f, 'kill', '--remove-orphans']);
    expect(r.code, r.stderr).toBe(0);
    expect(ps(f).map((x) => [x.service, x.state])).toEqual([['counter', 'exited']]);
  });

  it('refuses what is no signal with exit 2, and a service without containers with exit 1', () => {
    const f = up(`  counter:\n${COUNTER}`);
    const bad = stack(env(), [...f, 'kill', '-s', 'SIGNOPE']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('-s/--signal SIGNOPE: not a signal');
    const unknown = stack(env(), [...f, 'kill', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('service nope has no container');
  });
});

describe('stack pause and unpause', () => {
  it('freezes every process (the counter stops), ps and ls say paused, unpause lets it go on', async () => {
    const f = up(`  counter:\n${COUNTER}  other:\n${COUNTER}`);
    const pid = row(f, 'counter')!.pid!;
    await waitFor(() => fs.existsSync(`/proc/${pid}/root/tmp/count`));
    const paused = stack(env(), [...f, 'pause', 'counter']);
    expect(paused.code, paused.stderr).toBe(0);
    expect(row(f, 'counter')).toMatchObject({ state: 'running', paused: true });
    expect(row(f, 'other')?.paused).toBeUndefined();
    expect(stack(env(), [...f, 'ps']).stdout).toMatch(/-counter-1\s+counter\s+paused\s/);
    expect(stack(env(), ['ls', '--format', 'json']).stdout).toContain('"Status":"paused(1), running(1)"');
    // The kernel's view: the shell is in a frozen cgroup, and its count does not move.
    const cgroups = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
    const freezer = /^\d+:freezer:(.+)$/m.exec(cgroups)?.[1];
    const state = freezer
      ? fs.readFileSync(`/sys/fs/cgroup/freezer${freezer}/freezer.state`, 'utf8').trim()
      : fs.readFileSync(`/sys/fs/cgroup${/^0::(.+)$/m.exec(cgroups)![1]}/cgroup.events`, 'utf8');
    expect(state).toMatch(/^FROZEN$|frozen 1/);
    const count = inContainer(pid, '/tmp/count');
    await sleep(300); // 15 counts' time if it ran
    expect(inContainer(pid, '/tmp/count')).toBe(count);
    // A second pause has nothing to do; unpause thaws it.
    expect(stack(env(), [...f, 'pause', 'counter']).code).toBe(0);
    expect(stack(env(), [...f, 'unpause']).code).toBe(0);
    await waitFor(() => inContainer(pid, '/tmp/count') !== count, 10_000, 'the count to go on');
    expect(row(f, 'counter')?.paused).toBeUndefined();
  });

  it('stop, kill and down take a paused container down (it is thawed for the signal); exec is refused', async () => {
    const f = up(`  counter:\n${COUNTER}`);
    expect(stack(env(), [...f, 'pause']).code).toBe(0);
    const stopped = stack(env(), [...f, 'stop']);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(row(f, 'counter')).toMatchObject({ state: 'exited', stopped: true });
    expect(row(f, 'counter')?.paused).toBeUndefined();
    expect(stack(env(), [...f, 'start']).code).toBe(0);
    expect(stack(env(), [...f, 'pause']).code).toBe(0);
    // exec is refused, as docker refuses it (on cgroup v2 it would hang in the frozen group).
    const exec = stack(env(), [...f, 'exec', '-T', 'counter', 'true']);
    expect(exec.code).toBe(1);
    expect(exec.stderr).toContain('is paused; `stack unpause` it first');
    // kill thaws it after the signal, as docker's: the SIGKILL takes effect.
    expect(stack(env(), [...f, 'kill']).code).toBe(0);
    expect(row(f, 'counter')).toMatchObject({ state: 'exited', exitCode: 137, stopped: true });
    expect(stack(env(), [...f, 'start']).code).toBe(0);
    expect(stack(env(), [...f, 'pause']).code).toBe(0);
    const down = stack(env(), [...f, 'down']);
    expect(down.code, down.stderr).toBe(0);
  });
});

describe('stack top', () => {
  it("lists each running container's processes under its name, in ps -ef's columns", async () => {
    const f = up(`  counter:\n${COUNTER}  other:\n${COUNTER}`);
    const shell = row(f, 'counter')!.pid!;
    const r = stack(env(), [...f, 'top', 'counter']);
    expect(r.code, r.stderr).toBe(0);
    const [name, header, ...lines] = r.stdout.split('\n');
    expect(name).toMatch(/^tcmd\w+-counter-1$/);
    expect(header).toMatch(/^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^root\\s+${shell}\\s+\\d+\\s+\\d+\\s+\\d\\d:\\d\\d\\s+\\?\\s+\\d\\d:\\d\\d:\\d\\d\\s+sh -c trap`),
      ),
    );
    expect(r.stdout).not.toContain('-other-1');
    // Every container when none is named, each followed by an empty line.
    expect(stack(env(), [...f, 'top']).stdout.match(/^tcmd\w+-(counter|other)-1$/gm)).toHaveLength(2);
    expect(stack(env(), [...f, 'top', 'nope'])).toMatchObject({ code: 1, stdout: '' });
  });
});

describe('stack rm', () => {
  it('asks first; with stdin at its end (no terminal) the answer is no and nothing is removed', async () => {
    const f = up(`  counter:\n${COUNTER}  other:\n${COUNTER}`);
    expect(stack(env(), [...f, 'stop', 'other']).code).toBe(0);
    const r = stack(env(), [...f, 'rm']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Going to remove tcmd\w+-other-1\n$/);
    expect(r.stderr).toContain('Are you sure? [yN]');
    expect(ps(f).map((x) => x.service)).toEqual(['counter', 'other']);
    // -f removes the stopped one only; the running one stays.
    const forced = stack(env(), [...f, 'rm', '-f']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(ps(f).map((x) => x.service)).toEqual(['counter']);
    // Nothing stopped: compose's words, exit 0.
    const none = stack(env(), [...f, 'rm', '-f']);
    expect(none).toMatchObject({ code: 0, stdout: '' });
    expect(none.stderr).toContain('No stopped containers');
    // -s stops it first.
    expect(stack(env(), [...f, 'rm', '-s', '-f']).code).toBe(0);
    expect(ps(f)).toEqual([]);
  });

  it('-v removes the anonymous volumes of the removed containers', () => {
    const f = up(`  counter:\n${COUNTER}    volumes: ["/data"]\n`);
    const volumes = () =>
      fs.readdirSync(path.join(env().env.STACK_ROOT!, 'volumes')).filter((v) => v.includes('_anon_'));
    expect(volumes()).toHaveLength(1);
    expect(stack(env(), [...f, 'rm', '-s', '-f']).code).toBe(0);
    expect(volumes()).toHaveLength(1); // without -v it stays, as compose's
    expect(stack(env(), [...f, 'up', '-d']).code).toBe(0);
    expect(stack(env(), [...f, 'rm', '-s', '-f', '-v']).code).toBe(0);
    expect(volumes()).toEqual([]);
  });
});
