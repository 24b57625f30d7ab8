// The cgroup warm-up bin/stack.js starts for commands that start containers
// (executor/host/linux/cgroup-warm.ts): which file it writes, that the writing process stays
// in its group, and that the writes never hold a command open.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownProcsFile } from '../../executor/host/linux/cgroup-warm.js';
import { repoRoot } from '../support/stack-cli.js';

describe('ownProcsFile', () => {
  const v1 = [
    '12:pids:/user.slice/session-3.scope',
    '5:cpu,cpuacct:/user.slice',
    '0::/user.slice/session-3.scope',
    '',
  ].join('\n');

  it('takes the pids hierarchy on cgroup v1, the unified group on v2', () => {
    expect(ownProcsFile(v1, false)).toBe('/sys/fs/cgroup/pids/user.slice/session-3.scope/cgroup.procs');
    expect(ownProcsFile('0::/system.slice/x.service\n', true)).toBe(
      '/sys/fs/cgroup/system.slice/x.service/cgroup.procs',
    );
  });

  it('writes the root group without a doubled slash', () => {
    expect(ownProcsFile('8:pids:/\n', false)).toBe('/sys/fs/cgroup/pids/cgroup.procs');
    expect(ownProcsFile('0::/\n', true)).toBe('/sys/fs/cgroup/cgroup.procs');
  });

  it('finds nothing where the text names neither (no pids hierarchy, a v2 line on v1)', () => {
    expect(ownProcsFile('5:cpu,cpuacct:/\n0::/\n', false)).toBeUndefined();
    expect(ownProcsFile('12:pids:/\n', true)).toBeUndefined();
    expect(ownProcsFile('', false)).toBeUndefined();
  });
});

describe('keepCgroupMigrationsQuick', () => {
  const bundle = path.join(repoRoot, 'dist/bundle/cgroup-warm.cjs');

  it('leaves the process in its group and does not keep it alive for the warm-up time', () => {
    // The warm-up runs for 3 s at most; the script ends its own work after 200 ms.
    const script = `
      const before = require('fs').readFileSync('/proc/self/cgroup', 'utf8');
      require(${JSON.stringify(bundle)}).keepCgroupMigrationsQuick(3000);
      setTimeout(() => {
        const after = require('fs').readFileSync('/proc/self/cgroup', 'utf8');
        process.stdout.write(before === after ? 'same' : 'moved');
      }, 200);`;
    const started = Date.now();
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('same');
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('is quiet where the group cannot be written', () => {
    // As an ordinary user (uid 65534; the suite runs as root) the write is refused: nothing is
    // printed and the exit is 0.
    const r = spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        '-e',
        `require(${JSON.stringify(bundle)}).keepCgroupMigrationsQuick(3000)`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(fs.existsSync(bundle)).toBe(true);
  });
});
