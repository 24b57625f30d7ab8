// Privileged: the host side of `stack cp` out of a container. The copy runs as root and
// writes below a destination folder that someone else may change while it runs (a folder
// also bind-mounted into a container, or one a local user can write). Whatever is swapped
// in there mid-copy (a sub-folder or a just-written file replaced by a symlink to a host
// folder or file), root's writes, modes, owners and times must stay below the destination.
// The "container" here is this test's own process (its root is the host's): the source
// side is in-root.ts's business and has its own attack tests; these aim at the host side.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { copyFromContainer } from '../../executor/host/linux/container-copy.js';
import { readStartTime } from '../../store/proc-stat.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-cphost-'));
const src = path.join(tmp, 'src');
const out = path.join(tmp, 'out');
/** The host folder the attacks aim at: its entries, modes and times must not change. */
const victim = path.join(tmp, 'victim');
const self = { pid: process.pid, startTime: readStartTime(process.pid) };
const OPTS = { archive: true, followLink: false };

const victimState = () => {
  const st = (p: string) => {
    const s = fs.lstatSync(p);
    return [s.mode, s.uid, s.gid, s.mtimeMs];
  };
  return { entries: fs.readdirSync(victim).sort(), dir: st(victim), keep: st(path.join(victim, 'keep')) };
};

beforeEach(() => {
  for (const d of [src, out, victim]) fs.rmSync(d, { recursive: true, force: true });
  fs.mkdirSync(path.join(src, 'd/sub'), { recursive: true });
  fs.writeFileSync(path.join(src, 'd/f'), 'from the container');
  fs.chownSync(path.join(src, 'd/f'), 1234, 5678);
  fs.chmodSync(path.join(src, 'd/f'), 0o751);
  fs.writeFileSync(path.join(src, 'd/sub/g'), 'deep');
  fs.chownSync(path.join(src, 'd/sub'), 1234, 5678);
  fs.chmodSync(path.join(src, 'd/sub'), 0o700);
  fs.utimesSync(path.join(src, 'd/sub'), 1000, 1000);
  fs.mkdirSync(out);
  fs.mkdirSync(victim, 0o755);
  fs.writeFileSync(path.join(victim, 'keep'), 'host file', { mode: 0o644 });
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Replaces `p` by a symlink to `to`, as the other party would. */
const swapForLink = (p: string, to: string) => {
  fs.rmSync(p, { recursive: true, force: true });
  fs.symlinkSync(to, p);
};

/** The copy with the other party's hook in place; a refusal is right, what matters is where root wrote. */
const copyWithSpy = (spy: { mockRestore(): void }) => {
  try {
    copyFromContainer(self, path.join(src, 'd'), out, OPTS);
  } catch {
    // refused: fine
  } finally {
    spy.mockRestore();
  }
};

describe('stack cp out of a container: the host destination changed mid-copy', () => {
  it('a sub-folder swapped for a symlink to a host folder right after it was made receives nothing', () => {
    const sub = path.join(out, 'd/sub');
    const before = victimState();
    const realMkdir = fs.mkdirSync;
    const spy = vi.spyOn(fs, 'mkdirSync').mockImplementation(((p: fs.PathLike, o?: fs.MakeDirectoryOptions) => {
      const made = realMkdir(p, o);
      if (fs.existsSync(sub) && !fs.lstatSync(sub).isSymbolicLink()) swapForLink(sub, victim);
      return made;
    }) as typeof fs.mkdirSync);
    copyWithSpy(spy);
    expect(victimState()).toEqual(before);
  });

  it('a file swapped for a symlink to a host file once written keeps the host file’s mode, owner and time', () => {
    const file = path.join(out, 'd/f');
    const before = victimState();
    const realClose = fs.closeSync;
    const spy = vi.spyOn(fs, 'closeSync').mockImplementation((fd: number) => {
      let wasFile = false;
      try {
        wasFile = fs.readlinkSync(`/proc/self/fd/${fd}`) === file;
      } catch {
        // not a path (a pipe, a closed fd)
      }
      realClose(fd);
      if (wasFile) swapForLink(file, path.join(victim, 'keep'));
    });
    copyWithSpy(spy);
    expect(victimState()).toEqual(before);
  });

  it('a destination folder that held a sub-folder is replaced below it, never through a link put inside', () => {
    // An earlier copy left out/d/f as a folder; the copy replaces it with the file. While
    // that folder is removed, what is inside is swapped for a link to the victim.
    fs.mkdirSync(path.join(out, 'd/f/inner'), { recursive: true });
    fs.writeFileSync(path.join(out, 'd/f/inner/x'), 'x');
    const before = victimState();
    const inner = path.join(out, 'd/f/inner');
    const realReaddir = fs.readdirSync;
    let swapped = false;
    const spy = vi.spyOn(fs, 'readdirSync').mockImplementation(((p: fs.PathLike, o?: unknown) => {
      const names = realReaddir(p, o as undefined);
      if (!swapped && fs.existsSync(inner) && names.some((n) => String(n) === 'inner')) {
        swapped = true;
        swapForLink(inner, victim);
      }
      return names;
    }) as typeof fs.readdirSync);
    copyWithSpy(spy);
    expect(victimState()).toEqual(before);
    expect(fs.readFileSync(path.join(victim, 'keep'), 'utf8')).toBe('host file');
  });

  it('copies the tree as before when nothing interferes', () => {
    copyFromContainer(self, path.join(src, 'd'), out, OPTS);
    expect(fs.readFileSync(path.join(out, 'd/sub/g'), 'utf8')).toBe('deep');
    const f = fs.statSync(path.join(out, 'd/f'));
    expect([f.mode & 0o7777, f.uid, f.gid]).toEqual([0o751, 1234, 5678]);
    const sub = fs.statSync(path.join(out, 'd/sub'));
    expect([sub.mode & 0o7777, sub.uid, sub.gid, sub.mtimeMs]).toEqual([0o700, 1234, 5678, 1000_000]);
  });
});
