// develop.watch's decisions without a kernel: which edits a rule takes (ignore, include,
// the build context's .dockerignore, editors' litter), and what one burst does (a rebuild
// makes the rest moot; otherwise sync, then one restart, then the sync+exec commands), and
// the output lines and JSON events.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { WatchRule } from '../../model/develop-watch.js';
import { parseDockerignore } from '../../images/build/dockerignore.js';
import { ruleMatch } from '../../cli/watch/develop/rule-match.js';
import { actOnBurst, type ServiceActions } from '../../cli/watch/develop/service-actions.js';
import { eventLine, type WatchEvent } from '../../cli/watch/develop/watch-events.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-devact-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const at = (...p: string[]) => path.join(dir, ...p);
const rule = (r: Partial<WatchRule>): WatchRule => ({
  path: at('src'),
  action: 'sync',
  target: '/app',
  ignore: [],
  include: [],
  initialSync: false,
  ...r,
});

describe('which edits a rule takes', () => {
  it('ignore, the context .dockerignore and editor files leave edits out; include lets only matches in', () => {
    const m = ruleMatch(rule({ ignore: ['*.tmp', 'node_modules/'], include: ['*.js'] }), {
      dir: at('src'),
      patterns: parseDockerignore('*.key\n'),
    });
    expect(m.relative(at('src', 'a.js'))).toBe('a.js');
    expect(m.relative(at('src', 'lib'), true)).toBe('lib'); // a folder may hold included files
    expect(m.relative(at('src', 'a.css'))).toBeUndefined();
    expect(m.relative(at('src', 'x.tmp'))).toBeUndefined();
    expect(m.relative(at('src', 'a.key'))).toBeUndefined();
    expect(m.relative(at('src', '.git', 'HEAD'))).toBeUndefined();
    expect(m.relative(at('src', '.a.js.swp'))).toBeUndefined();
    expect(m.relative(at('other', 'a.js'))).toBeUndefined();
    expect(m.skipsFolder(at('src', 'node_modules'))).toBe(true);
    expect(m.skipsFolder(at('src', 'lib'))).toBe(false);
    expect(m.targetOf('lib/a.js')).toBe('/app/lib/a.js');
  });
});

function fakeWorld() {
  const calls: string[] = [];
  const events: WatchEvent[] = [];
  const world: ServiceActions = {
    containersOf: async () => ['p-web-1', 'p-web-2'],
    sync: async (c, r) => {
      calls.push(`sync ${c} copy ${r.copy.map((x) => x.target).join(',')} remove ${r.remove.join(',')}`);
      return r.copy.length + r.remove.length;
    },
    exec: async (c, hook) => {
      calls.push(`exec ${c} ${hook.command.join(' ')}`);
      return 0;
    },
    restart: async (s) => void calls.push(`restart ${s}`),
    rebuild: async (s) => {
      calls.push(`rebuild ${s}`);
      return true;
    },
    report: (e) => void events.push(e),
    describe: async (err) => String(err),
  };
  return { world, calls, events };
}

describe('one burst', () => {
  fs.mkdirSync(at('src'), { recursive: true });
  fs.writeFileSync(at('src', 'a.js'), 'a');
  const exec = { command: ['sh', '-c', 'reload'], privileged: false, environment: {} };
  const matches = [
    ruleMatch(rule({})),
    ruleMatch(rule({ action: 'sync+restart', target: '/restart' })),
    ruleMatch(rule({ action: 'sync+exec', target: '/exec', exec })),
  ];

  it('syncs what exists, removes what is gone, then restarts once, then runs the commands', async () => {
    const { world, calls, events } = fakeWorld();
    const edits = new Map([
      [at('src', 'a.js'), false],
      [at('src', 'gone.js'), false],
    ]);
    await actOnBurst(world, 'web', matches, edits);
    expect(calls).toEqual([
      'sync p-web-1 copy /app/a.js,/exec/a.js,/restart/a.js remove /app/gone.js,/restart/gone.js,/exec/gone.js',
      'sync p-web-2 copy /app/a.js,/exec/a.js,/restart/a.js remove /app/gone.js,/restart/gone.js,/exec/gone.js',
      'restart web',
      'exec p-web-1 sh -c reload',
      'exec p-web-2 sh -c reload',
    ]);
    expect(events.map((e) => e.action)).toEqual(['sync', 'restart', 'exec', 'exec']);
  });

  it('a rebuild rule hit makes the rest moot', async () => {
    const { world, calls } = fakeWorld();
    await actOnBurst(
      world,
      'web',
      [...matches, ruleMatch(rule({ action: 'rebuild', target: undefined }))],
      new Map([[at('src', 'a.js'), false]]),
    );
    expect(calls).toEqual(['rebuild web']);
  });

  it('a failed rebuild is reported, not thrown', async () => {
    const { world, events } = fakeWorld();
    world.rebuild = async () => {
      throw new Error('COPY missing: no such file');
    };
    await actOnBurst(world, 'web', [ruleMatch(rule({ action: 'rebuild' }))], new Map([[at('src', 'a.js'), false]]));
    expect(eventLine(events[0]!)).toBe(
      'web: rebuild failed; the running container is kept\nError: COPY missing: no such file',
    );
  });
});

describe('output', () => {
  it('one line per action', () => {
    expect(eventLine({ service: 'web', action: 'sync', files: 3, ms: 12 })).toBe('web: synced 3 files (12 ms)');
    expect(eventLine({ service: 'web', action: 'sync', files: 1, ms: 2 })).toBe('web: synced 1 file (2 ms)');
    expect(eventLine({ service: 'api', action: 'rebuild', ms: 1400, replaced: true })).toBe(
      'api: rebuilt in 1.4 s, replaced',
    );
  });
});
