// Privileged: the CVE-2019-5736 attack on the exec stage, performed from inside a real
// container. A process in it (fixtures/exe-overwrite-attacker.c) spins on
// /proc/<newest pid>/exe while `stack exec` (the path of every healthcheck probe too) enters
// the container again and again; it reopens any host executable it gets for writing and
// appends a marker. The stack runs COPIES of its stage binaries (STACK_STAGE_DIR,
// STACK_STAGE_NODE), so a successful attack damages only files of this test.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { busyboxFixture } from '../support/busybox-containers.js';
import { INIT_STAGES, useInitStage } from '../support/init-stages.js';
import { stageDirs } from '../../executor/host/linux/stage-files.js';

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
  execFileSync('gcc', ['-static', '-O1', '-o', attackerBin, path.join(import.meta.dirname, 'fixtures/exe-overwrite-attacker.c')]);
  fx.buildLayer({ attacker: attackerBin });
  const dist = stageDirs().find((d) => fs.existsSync(path.join(d, 'exec.cjs')))!;
  fs.mkdirSync(stageCopies);
  for (const file of ['stack-init', 'init.cjs', 'exec.cjs']) fs.copyFileSync(path.join(dist, file), path.join(stageCopies, file));
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

describe.each(INIT_STAGES)('host binaries seen from inside a container (%s stages)', (stage) => {
  beforeAll(() => useInitStage(stage));

  it('a process racing for /proc/<pid>/exe of exec stages gets no host file to write, and the stage binary stays unchanged', async () => {
    const target = stage === 'native' ? nativeCopy : nodeCopy;
    const before = sha256(target);
    const s = fx.spec(['attacker', MARKER, devIno(nativeCopy), devIno(nodeCopy)]);
    await fx.start(s);
    const report = () => fx.logOf(s).split('\n');
    while (!report().includes('attacker ready')) await sleep(10);
    for (let i = 0; i < EXECS && !report().some((l) => l.startsWith('wrote ')); i++) {
      expect(await fx.containers.exec(fx.project, s.name, { argv: ['true'] })).toBe(0);
    }
    const lines = report();
    await fx.removeAll(s.name);
    // What the attacker got: nothing outside the container, not even to look at.
    expect(lines.filter((l) => /^(exe|writable|wrote|outside) /.test(l))).toEqual([]);
    expect(sha256(target)).toBe(before);
    // It did meet the stages, and the kernel turned it away (so the race was really run).
    expect(lines.filter((l) => l.startsWith('denied ')).length).toBeGreaterThan(0);
  });
});
