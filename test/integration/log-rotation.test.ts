// `logging:` on the real kernel: a container that writes far more than max-size × max-file
// keeps at most max-file files, and `stack logs` shows exactly what they hold, whole lines
// in order across the rotated files (--tail too); `logs -f` keeps following across
// rotations without a gap or a repeat; the `none` driver keeps nothing and `logs` says so.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  stack,
  uniqueProject,
  TEST_IMAGE,
  type StackEnv,
  writeStackFile,
} from '../support/stack-cli.js';
import { killSupervisors, startStack, waitFor } from '../support/processes.js';

const PAD = 'x'.repeat(80);
/** What the writers print: `line 000042 xxx…` (93 bytes with its newline), then `done`. */
const LINE = /^line (\d{6}) x{80}$/;
const WRITTEN = 3000;
// Kept at once: about 6 × 8 kB, some 2.5 s of the steady writer's output: a follower on a busy
// machine is not outrun, and still more than that is written, so rotations drop old files.
const FOLLOWED = 1000;

let env: StackEnv;
let file: string;
let project: string;
let gate: string;

/** Lines numbered from 0 to count - 1, `pause` after each `every` (so rotations happen while it writes), then `done`. */
const writer = (count: number, every: number, pause: string) => `
        i=0
        while [ $$i -lt ${count} ]; do
          printf 'line %06d %s\\n' $$i ${PAD}
          i=$$((i + 1))
          if [ $$((i % ${every})) -eq 0 ]; then sleep ${pause}; fi
        done
        echo done
        exec sleep 1000`;

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  project = uniqueProject('tlogrot');
  gate = path.join(env.root, 'gate');
  fs.mkdirSync(gate);
  file = writeStackFile(
    env,
    project,
    `  burst:
    image: ${TEST_IMAGE}
    stop_grace_period: 0s
    logging:
      driver: json-file
      options:
        max-size: 16k
        max-file: "3"
    command:
      - sh
      - -c
      - |${writer(WRITTEN, 100, '0.02')}
  steady:
    image: ${TEST_IMAGE}
    stop_grace_period: 0s
    volumes: ["${gate}:/gate"]
    logging:
      options:
        max-size: 8k
        max-file: 6
    command:
      - sh
      - -c
      - |
        echo ready
        until [ -e /gate/go ]; do sleep 0.05; done${writer(FOLLOWED, 10, '0.05')}
  late:
    image: ${TEST_IMAGE}
    stop_grace_period: 0s
    volumes: ["${gate}:/gate"]
    logging:
      options:
        max-size: 16k
        max-file: "2"
    command:
      - sh
      - -c
      - |
        echo ready
        until [ -e /gate/late ]; do sleep 0.05; done${writer(WRITTEN, 1000, '0')}
  silent:
    image: ${TEST_IMAGE}
    stop_grace_period: 0s
    logging:
      driver: none
    command: ["sh", "-c", "echo secret; exec sleep 1000"]
`,
  );
  // Up once for every case here, so each one also runs alone (-t).
  const up = stack(env, ['-f', file, 'up', '-d']);
  expect(up.code, up.stderr).toBe(0);
});

afterAll(async () => {
  if (file) stack(env, ['-f', file, 'down', '-t', '0']);
  if (project) await killSupervisors(project);
  env?.dispose();
});

const logsDir = () => path.join(env.env.STACK_ROOT!, 'stacks', project, 'logs');
/** The log files of a container (the one written and the rotated ones), with their sizes. */
function logFiles(service: string): { name: string; size: number }[] {
  const base = `${project}-${service}-1.log`;
  return fs
    .readdirSync(logsDir())
    .filter((n) => n === base || new RegExp(`^${base.replace(/\./g, '\\.')}\\.\\d+$`).test(n))
    .flatMap((name) => {
      // A file past max-file may go between the listing and its stat while a rotation runs.
      const stat = fs.statSync(path.join(logsDir(), name), { throwIfNoEntry: false });
      return stat ? [{ name, size: stat.size }] : [];
    });
}

/** Checks that `lines` are whole writer lines numbered consecutively, ending with the last and `done`. */
function expectConsecutiveTail(lines: string[], count: number): number {
  expect(lines.at(-1)).toBe('done');
  const numbers = lines.slice(0, -1).map((l) => {
    const m = LINE.exec(l);
    expect(m, `a whole line: ${JSON.stringify(l)}`).not.toBeNull();
    return Number(m![1]);
  });
  expect(numbers.at(-1)).toBe(count - 1);
  numbers.forEach((n, i) => expect(n).toBe(numbers[0]! + i));
  return numbers[0]!;
}

/**
 * `stack logs burst` once the burst writer is done: read again after, since a reader that
 * ran while it wrote may have been outrun (rotations dropped what it had not read yet).
 */
async function burstDone(): Promise<string> {
  await waitFor(
    () => stack(env, ['-f', file, 'logs', '--tail', '1', 'burst']).stdout === 'done\n',
    60_000,
    'the burst writer to finish',
  );
  return stack(env, ['-f', file, 'logs', 'burst']).stdout;
}

describe('logging: json-file rotation', () => {
  it('keeps at most max-file files and shows exactly what they hold, whole lines in order', async () => {
    const out = await burstDone();
    const lines = out.trimEnd().split('\n');
    const first = expectConsecutiveTail(lines, WRITTEN);
    // Far more was written than three files of 16 kB hold: the oldest lines are gone.
    expect(first).toBeGreaterThan(0);
    const files = logFiles('burst');
    expect(files.length).toBeGreaterThan(1);
    expect(files.length).toBeLessThanOrEqual(3);
    // What is shown is what the files hold: at most the part of one line cut by the oldest file's start is not.
    const kept = files.reduce((sum, f) => sum + f.size, 0);
    expect(out.length).toBeLessThanOrEqual(kept);
    expect(out.length).toBeGreaterThan(kept - 93);
    // A rotated file holds about max-size (to the filesystem's block), never the whole history.
    for (const f of files) expect(f.size).toBeLessThan(16_000 + 8192);
  });

  it('--tail reads back across the rotated files', async () => {
    const all = (await burstDone()).trimEnd().split('\n');
    expect(stack(env, ['-f', file, 'logs', '--tail', '3', 'burst']).stdout.trimEnd().split('\n')).toEqual(
      all.slice(-3),
    );
    // More lines than the file being written holds: the rest comes from the rotated ones.
    const tail = stack(env, ['-f', file, 'logs', '--tail', '400', 'burst']).stdout.trimEnd().split('\n');
    expect(tail).toEqual(all.slice(-400));
    expectConsecutiveTail(tail, WRITTEN);
    // The supervisor's notes of when each line was written follow the rotations: every line
    // kept has its time, in order.
    const timed = stack(env, ['-f', file, 'logs', '-t', 'burst']).stdout.trimEnd().split('\n');
    expect(timed.map((l) => l.slice(l.indexOf(' ') + 1))).toEqual(all);
    const times = timed.map((l) => Date.parse(l.slice(0, l.indexOf(' '))));
    times.forEach((t, i) => expect(t).toBeGreaterThanOrEqual(times[i - 1] ?? t));
    expect(
      stack(env, ['-f', file, 'logs', '--since', '1h', '--tail', '400', 'burst']).stdout.trimEnd().split('\n'),
    ).toEqual(tail);
  });

  it('logs -f follows across rotations: every line once, in order', async () => {
    const follow = startStack(env, ['-f', file, 'logs', '-f', 'steady']);
    let out = '';
    follow.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => out.includes('ready\n'), 30_000, 'the steady writer to be ready');
    fs.writeFileSync(path.join(gate, 'go'), '');
    await waitFor(() => out.endsWith('done\n'), 60_000, 'the steady writer to finish');
    follow.child.kill('SIGTERM');
    await follow.result;
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('ready');
    expect(expectConsecutiveTail(lines.slice(1), FOLLOWED)).toBe(0);
    // It did rotate meanwhile: the files no longer hold the first lines.
    expect(stack(env, ['-f', file, 'logs', 'steady']).stdout).not.toMatch(/^line 000000 /m);
    expect(logFiles('steady').length).toBeLessThanOrEqual(6);
  });
});

describe('logging: none', () => {
  it('keeps no output, and logs says the driver does not support reading', async () => {
    await waitFor(
      () => stack(env, ['-f', file, 'ps', '-a']).stdout.includes(`${project}-silent-1`),
      30_000,
      'the silent container',
    );
    const r = stack(env, ['-f', file, 'logs', 'silent']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /service silent: its logging driver is none: configured logging driver does not support reading/,
    );
    expect(fs.readdirSync(logsDir()).filter((n) => n.startsWith(`${project}-silent-1`))).toEqual([]);
  });
});

describe('logging: written while no supervisor runs', () => {
  it('is rotated when the next supervisor starts, and logs reads it whole', async () => {
    await waitFor(() => stack(env, ['-f', file, 'logs', 'late']).stdout.includes('ready'), 30_000, 'late to be ready');
    await killSupervisors(project);
    fs.writeFileSync(path.join(gate, 'late'), '');
    const log = path.join(logsDir(), `${project}-late-1.log`);
    await waitFor(() => fs.readFileSync(log, 'utf8').endsWith('done\n'), 60_000, 'late to finish unsupervised');
    // Nobody rotated it: the whole output is in the one file.
    expect(logFiles('late')).toEqual([{ name: path.basename(log), size: fs.statSync(log).size }]);
    expect(fs.statSync(log).size).toBeGreaterThan(2 * 16_000);
    // Any command that needs the supervisor starts one; it adopts the container and rotates its log.
    const up = stack(env, ['-f', file, 'up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    // Settled: each round copies the head out before it removes the file past max-file, so
    // three files show between the two steps of a round while the rotation goes on.
    await waitFor(
      () => fs.statSync(log).size < 16_000 + 8192 && logFiles('late').length <= 2,
      30_000,
      'the log to be rotated',
    );
    expect(logFiles('late').length).toBeLessThanOrEqual(2);
    const lines = stack(env, ['-f', file, 'logs', 'late']).stdout.trimEnd().split('\n');
    expect(expectConsecutiveTail(lines, WRITTEN)).toBeGreaterThan(0);
  });
});
