// Privileged: the CVE-2019-5736 attack on the exec stage, performed from inside a real
// container. A process in it (fixtures/exe-overwrite-attacker.c) spins on /proc/<pid>/exe
// of the newest pids while `stack exec` (the path of every healthcheck probe too) enters the
// container again and again; it reopens any stage binary it gets for writing and appends a
// marker. The stack runs COPIES of its stage binaries (STACK_STAGE_DIR, STACK_STAGE_NODE),
// so a successful attack damages only files of this test. The stages are non-dumpable
// until execve (that stops the attack) and the native one runs from a sealed memfd (that
// holds even against CAP_SYS_PTRACE, which gets past non-dumpable). Not covered: a
// container given CAP_SYS_PTRACE still sees a stage's host root and cwd before it enters
// the container, and the supervisor's node between fork and execve (README: stages).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { busyboxFixture, UNWIRED_ENDPOINT } from '../support/busybox-containers.js';
import { INIT_STAGES, useInitStage } from '../support/init-stages.js';
import { stageDirs } from '../../executor/host/linux/stage-files.js';
import { effectiveCapabilities } from '../../model/capabilities.js';

const fx = busyboxFixture('exe-overwrite');
const attackerBin = path.join(fx.tmp, 'exe-overwrite-attacker');
const stageCopies = path.join(fx.tmp, 'stages');
const nodeCopy = path.join(fx.tmp, 'node');
const nativeCopy = path.join(stageCopies, 'stack-init');
const MARKER = 'STACK-EXE-OVERWRITTEN';
/** Exec stages the attacker races against (the current code loses within a few). */
const EXECS = 50;

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const devIno = (file: string) => {
  const st = fs.statSync(file);
  return `${st.dev.toString(16)}:${st.ino}`;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(() => {
  execFileSync('gcc', [
    '-static',
    '-O1',
    '-o',
    attackerBin,
    path.join(import.meta.dirname, 'fixtures/exe-overwrite-attacker.c'),
  ]);
  fx.buildLayer({ attacker: attackerBin });
  const dist = stageDirs().find((d) => fs.existsSync(path.join(d, 'exec.cjs')))!;
  fs.mkdirSync(stageCopies);
  for (const file of ['stack-init', 'init.cjs', 'exec.cjs'])
    fs.copyFileSync(path.join(dist, file), path.join(stageCopies, file));
  fs.copyFileSync(process.execPath, nodeCopy);
  fs.chmodSync(nodeCopy, 0o755);
  process.env.STACK_STAGE_DIR = stageCopies;
  process.env.STACK_STAGE_NODE = nodeCopy;
});

afterAll(async () => {
  delete process.env.STACK_STAGE_DIR;
  delete process.env.STACK_STAGE_NODE;
  await fx.cleanupAll();
});

/**
 * Starts the attacker in a container of `overrides` and runs EXECS exec stages into it (fewer
 * once it wrote). The race is timing: when the attacker has not yet met a stage the way
 * `met` looks for, up to 3 × EXECS more run, so a slow round does not pass for a safe one.
 * Returns the attacker's report.
 */
async function race(overrides: Parameters<typeof fx.spec>[1], met: (line: string) => boolean): Promise<string[]> {
  const s = fx.spec(['attacker', MARKER, devIno(nativeCopy), devIno(nodeCopy)], overrides);
  await fx.start(s);
  const report = () => fx.logOf(s).split('\n');
  while (!report().includes('attacker ready')) await sleep(10);
  for (let i = 0; i < 4 * EXECS && !report().some((l) => l.startsWith('wrote ')); i++) {
    if (i >= EXECS && report().some(met)) break;
    expect(await fx.containers.exec(fx.project, s.name, { argv: ['true'] })).toBe(0);
  }
  const lines = report();
  await fx.removeAll(s.name);
  return lines;
}

describe.each(INIT_STAGES)('host binaries seen from inside a container (%s stages)', (stage) => {
  beforeAll(() => useInitStage(stage));

  it('a process racing for /proc/<pid>/exe of exec stages gets no host file to write, and the stage binary stays unchanged', async () => {
    const target = stage === 'native' ? nativeCopy : nodeCopy;
    const before = sha256(target);
    const lines = await race({}, (l) => l.startsWith('denied '));
    // What the attacker got: nothing outside the container, not even to look at.
    expect(lines.filter((l) => /^(exe|writable|wrote|outside) /.test(l))).toEqual([]);
    expect(sha256(target)).toBe(before);
    // It did meet the stages, and the kernel turned it away (so the race was really run).
    expect(lines.filter((l) => l.startsWith('denied ')).length).toBeGreaterThan(0);
  });
});

describe('the native stages run from a sealed copy in memory', () => {
  beforeAll(() => useInitStage('native'));

  it('an attacker that CAP_SYS_PTRACE lets past non-dumpable gets that copy, which it cannot write, and never the file', async () => {
    const before = sha256(nativeCopy);
    const lines = await race(
      { capabilities: effectiveCapabilities({ privileged: false, capAdd: ['SYS_PTRACE'], capDrop: [] }) },
      (l) => l.startsWith('exe ') && !l.endsWith(` ${process.execPath}`),
    );
    const exes = lines.filter((l) => l.startsWith('exe ') && !l.endsWith(` ${process.execPath}`));
    expect(exes.length).toBeGreaterThan(0);
    for (const l of exes) expect(l).toMatch(/^exe \d+ [\da-f]+:\d+ \/memfd:stack-init \(deleted\)$/);
    expect(lines.filter((l) => l.startsWith('wrote '))).toEqual([]);
    expect(lines.filter((l) => l.startsWith('unwritten ') || l.startsWith('readonly ')).length).toBeGreaterThan(0);
    expect(sha256(nativeCopy)).toBe(before);
  });

  it("the init stage, PID 1 until it execve's the command, runs from it too, named stack-init", async () => {
    const s = fx.spec(['sleep', '1000'], { endpoints: [UNWIRED_ENDPOINT] });
    const { pid } = await fx.spawnOnly(s);
    try {
      expect(fs.readlinkSync(`/proc/${pid}/exe`)).toBe('/memfd:stack-init (deleted)');
      expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toBe('stack-init\0');
      expect(fs.readFileSync(`/proc/${pid}/comm`, 'utf8')).toBe('stack-init\n');
    } finally {
      await fx.removeAll(s.name);
    }
  });
});
