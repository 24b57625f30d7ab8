// The global flags that reach containers, on the real kernel: `--dry-run` of every command
// that changes the host changes nothing (no link, nftables table, cgroup, process or file
// under STACK_ROOT/STACK_RUN appears, changes or goes), `--parallel 1` runs one operation
// at a time, `--progress json` and `--progress quiet`.

import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sleeperService, stack } from '../support/stack-cli.js';
import { objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';
import { supervisorPids } from '../support/processes.js';

const one = oneStackUnderTest('stkgf');

beforeAll(() => {
  fs.writeFileSync(
    one.file,
    `name: ${one.project}\nservices:\n  a:\n${sleeperService()}  b:\n${sleeperService()}  c:\n${sleeperService('    depends_on: [a]\n')}`,
  );
});

/** Every file and folder under STACK_ROOT and STACK_RUN, with its size, mode and mtime. */
function stackFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      const st = fs.lstatSync(p);
      out.push(`${p} ${st.mode} ${e.isDirectory() ? '' : `${st.size} ${st.mtimeMs}`}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(one.env.env.STACK_ROOT!);
  walk(one.env.env.STACK_RUN!);
  return out.sort();
}

/** What the host holds for this project, and stack's files. */
const hostState = () => ({
  objects: objectsNaming(snapshotHostObjects(), [one.project]),
  files: stackFiles(),
  supervisors: supervisorPids(one.project),
});

const f = () => ['-f', one.file];

describe('--dry-run', () => {
  it('of `up` before the stack exists: the plan, marked, and nothing made', () => {
    const before = hostState();
    const r = stack(one.env, [...f(), '--dry-run', 'up', '-d']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^DRY-RUN MODE plan for ${one.project}: \\d+ operations`));
    expect(r.stdout).toContain(`container.start ${one.project}-a-1`);
    expect(r.stderr).toContain('DRY-RUN MODE: nothing was changed');
    expect(hostState()).toEqual(before);
    expect(fs.existsSync(path.join(one.env.env.STACK_ROOT!, 'stacks', one.project))).toBe(false);
  });

  it('of commands on a stack that is not up: what the command itself would say, and nothing made', () => {
    const before = hostState();
    const down = stack(one.env, [...f(), '--dry-run', 'down']);
    expect(down.code).toBe(0);
    expect(down.stdout).toBe(`DRY-RUN MODE stack ${one.project} is not up; nothing to remove\n`);
    const stop = stack(one.env, [...f(), '--dry-run', 'stop']);
    expect(stop.code).toBe(2);
    expect(stop.stderr).toContain(`stack ${one.project} is not up`);
    expect(hostState()).toEqual(before);
  });

  it.each([
    [['up', '-d', '--force-recreate']],
    [['create']],
    [['down', '-v']],
    [['stop']],
    [['start']],
    [['restart', 'a']],
    [['kill', '-s', 'KILL']],
    [['rm', '-f', '-s']],
    [['pause']],
    [['unpause']],
    [['scale', 'a=3']],
    [['run', '--rm', 'c', 'true']],
    [['exec', 'a', 'touch', '/tmp/x']],
    [['pull']],
    [['build']],
    [['push']],
    [['watch']],
  ])('of %j on the running stack changes nothing', (args) => {
    // --wait: the supervisor has written the containers' records of the start when it returns.
    if (supervisorPids(one.project).length === 0) expect(stack(one.env, [...f(), 'up', '-d', '--wait']).code).toBe(0);
    const before = hostState();
    const r = stack(one.env, [...f(), '--dry-run', ...args]);
    // `create` and per-project `pull` come with other branches: until then they are unknown commands (exit 2).
    if ((args[0] === 'create' || args[0] === 'pull') && r.code === 2) return;
    expect(r.stderr).toContain('DRY-RUN MODE: nothing was changed');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^DRY-RUN MODE /);
    expect(hostState()).toEqual(before);
  });

  it('plans from the records: `down` names every container it would remove', () => {
    const r = stack(one.env, [...f(), '--dry-run', 'down']);
    for (const s of ['a', 'b', 'c']) expect(r.stdout).toContain(`container.remove ${one.project}-${s}-1`);
    const ps = stack(one.env, [...f(), 'ps', '--format', 'json']);
    expect(ps.stdout).toContain(`${one.project}-a-1`);
  });

  it('a command that only reads runs as usual', () => {
    const r = stack(one.env, [...f(), '--dry-run', 'ps']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('DRY-RUN');
    expect(r.stdout).toContain(`${one.project}-a-1`);
  });
});

describe('--parallel and --progress', () => {
  it('--parallel 1 --progress json: one JSON object per line, and no operation starts before the last one ended', () => {
    expect(stack(one.env, [...f(), 'down', '-t', '0']).code).toBe(0);
    const r = stack(one.env, [...f(), '--parallel', '1', '--progress', 'json', 'up', '-d']);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; event?: { type: string; id: string } });
    expect(lines[0]!.type).toBe('plan');
    const events = lines.filter((l) => l.type === 'progress').map((l) => l.event!);
    expect(events.filter((e) => e.type === 'start').length).toBeGreaterThan(3);
    const running = new Set<string>();
    for (const e of events) {
      if (e.type === 'start') {
        expect([...running]).toEqual([]);
        running.add(e.id);
      } else running.delete(e.id);
    }
  });

  it('without --parallel, independent operations do overlap (the check above can fail)', () => {
    expect(stack(one.env, [...f(), 'down', '-t', '0']).code).toBe(0);
    const r = stack(one.env, [...f(), '--progress', 'json', 'up', '-d']);
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; event?: { type: string; id: string } })
      .filter((l) => l.type === 'progress')
      .map((l) => l.event!);
    let most = 0;
    const running = new Set<string>();
    for (const e of events) {
      if (e.type === 'start') running.add(e.id);
      else running.delete(e.id);
      most = Math.max(most, running.size);
    }
    expect(most).toBeGreaterThan(1);
  });

  it('COMPOSE_PROGRESS=quiet: no progress lines; plain: one line per operation', () => {
    const quiet = stack({ ...one.env, env: { ...one.env.env, COMPOSE_PROGRESS: 'quiet' } }, [...f(), 'restart', 'b']);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).not.toContain('✔');
    const plain = stack(one.env, [...f(), '--progress', 'plain', 'restart', 'b']);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(/ ✔ container\.\w+ /);
  });
});

describe('completion', () => {
  it("offers the services of the project's containers too: one the file no longer has", () => {
    expect(stack(one.env, [...f(), 'up', '-d', '--wait']).code).toBe(0);
    const onlyA = path.join(one.env.root, 'only-a.yaml');
    fs.writeFileSync(onlyA, `name: ${one.project}\nservices:\n  a:\n${sleeperService()}`);
    const r = stack(one.env, ['__complete', '--', '-f', onlyA, 'logs', '']);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(['a', 'b', 'c']);
  });
});
