// How --ansi/COMPOSE_ANSI and --progress/COMPOSE_PROGRESS decide colour and the live list,
// and how COMPOSE_REMOVE_ORPHANS / COMPOSE_IGNORE_ORPHANS reach the planner's options
// (global-flags.ts copies the flags into these variables; the CLI test checks that part).

import { afterEach, describe, expect, it } from 'vitest';
import { drawsLive, wantsColor } from '../../cli/terminal-mode.js';
import { reconcileOptions } from '../../cli/up-options.js';
import { composeBool } from '../../cli/compose-env.js';

const VARS = ['COMPOSE_ANSI', 'COMPOSE_PROGRESS', 'NO_COLOR', 'COMPOSE_REMOVE_ORPHANS', 'COMPOSE_IGNORE_ORPHANS'];
const saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
afterEach(() => {
  for (const v of VARS) {
    if (saved[v] === undefined) delete process.env[v];
    else process.env[v] = saved[v];
  }
});

const terminal = { isTTY: true, columns: 80 } as unknown as NodeJS.WriteStream;
const pipe = { isTTY: false } as unknown as NodeJS.WriteStream;

describe('--ansi', () => {
  it('auto: colour on a terminal only, and not with NO_COLOR', () => {
    delete process.env.NO_COLOR;
    expect(wantsColor(terminal, false)).toBe(true);
    expect(wantsColor(pipe, false)).toBe(false);
    process.env.NO_COLOR = '1';
    expect(wantsColor(terminal, false)).toBe(false);
  });

  it('always: colour on a pipe too; never: not even on a terminal, and no live list', () => {
    process.env.COMPOSE_ANSI = 'always';
    expect(wantsColor(pipe, false)).toBe(true);
    expect(wantsColor(pipe, true)).toBe(false); // --no-color of the command still wins
    process.env.COMPOSE_ANSI = 'never';
    expect(wantsColor(terminal, false)).toBe(false);
    expect(drawsLive(terminal)).toBe(false);
  });
});

describe('--progress', () => {
  it('auto: live on a terminal, lines on a pipe', () => {
    expect(drawsLive(terminal)).toBe(process.stdout.isTTY !== true || (process.stdout.columns ?? 0) > 0);
    expect(drawsLive(pipe)).toBe(false);
  });

  it('tty: live even on a pipe; plain, json and quiet: never live', () => {
    process.env.COMPOSE_PROGRESS = 'tty';
    expect(drawsLive(pipe)).toBe(true);
    for (const mode of ['plain', 'json', 'quiet']) {
      process.env.COMPOSE_PROGRESS = mode;
      expect(drawsLive(terminal)).toBe(false);
    }
  });
});

describe('COMPOSE_REMOVE_ORPHANS and COMPOSE_IGNORE_ORPHANS', () => {
  it("are read as Go's ParseBool reads them", () => {
    for (const v of ['1', 't', 'true', 'TRUE', 'True']) {
      process.env.COMPOSE_REMOVE_ORPHANS = v;
      expect(composeBool('COMPOSE_REMOVE_ORPHANS')).toBe(true);
    }
    for (const v of ['0', 'false', 'no', '']) {
      process.env.COMPOSE_REMOVE_ORPHANS = v;
      expect(composeBool('COMPOSE_REMOVE_ORPHANS')).toBe(false);
    }
  });

  it("set up's reconcile options as --remove-orphans would, and ignoreOrphans", () => {
    expect(reconcileOptions({})).toEqual({ forceRecreate: false, removeOrphans: false });
    process.env.COMPOSE_REMOVE_ORPHANS = 'true';
    process.env.COMPOSE_IGNORE_ORPHANS = '1';
    expect(reconcileOptions({})).toEqual({ forceRecreate: false, removeOrphans: true, ignoreOrphans: true });
  });
});
