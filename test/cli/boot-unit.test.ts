// The systemd unit `up` installs for a stack (cli/boot-unit.ts): what it says, that
// systemd-analyze accepts it, that words systemd would read as specifiers, variables or
// quotes are escaped, and that install and removal touch only this STACK_ROOT's unit. No
// systemctl runs: the folder is the test's (this host's PID 1 is not systemd anyway).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installUnit, removeUnit, unitDir, unitText, type UnitFacts } from '../../cli/boot-unit.js';

const facts = (over: Partial<UnitFacts> = {}): UnitFacts => ({
  project: 'web',
  root: '/var/lib/stack',
  run: '/run/stack',
  node: process.execPath,
  cli: path.resolve('bin/stack.js'),
  env: {},
  ...over,
});

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-units-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the boot unit', () => {
  it("runs `stack -p NAME boot` once at boot, after the network, with the stack's places", () => {
    const text = unitText(facts({ env: { STACK_INIT_STAGE: 'node' } }));
    expect(text).toContain('\nType=oneshot\nRemainAfterExit=yes\n');
    expect(text).toContain('\nWants=network-online.target\nAfter=network-online.target local-fs.target\n');
    expect(text).toContain('\nRequiresMountsFor=/var/lib/stack\n');
    expect(text).toContain(
      '\nEnvironment="STACK_ROOT=/var/lib/stack"\nEnvironment="STACK_RUN=/run/stack"\nEnvironment="STACK_INIT_STAGE=node"\n',
    );
    expect(text).toContain(`\nExecStart="${process.execPath}" "${path.resolve('bin/stack.js')}" "-p" "web" "boot"\n`);
    expect(text).toContain('\n[Install]\nWantedBy=multi-user.target\n');
  });

  it('is a unit systemd-analyze verify accepts', () => {
    const file = path.join(dir, 'stack-web.service');
    fs.writeFileSync(file, unitText(facts()));
    const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    // scripts/host-deps.sh installs it (Debian's systemd package) where it is missing.
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('stack-web.service');
  });

  it('escapes what systemd would read as a specifier, a variable or a quote, and refuses a line break', () => {
    const text = unitText(facts({ root: '/srv/100%/"x"$HOME' }));
    expect(text).toContain('Environment="STACK_ROOT=/srv/100%%/\\"x\\"$HOME"');
    expect(unitText(facts({ cli: '/opt/$x/stack.js' }))).toContain('"/opt/$$x/stack.js"');
    expect(() => unitText(facts({ root: '/a\nExecStartPre=/bin/evil' }))).toThrow(/line break/);
  });

  it('is installed enabled (the WantedBy link systemctl enable makes), once, and removed with its link', () => {
    const first = installUnit(dir, facts());
    expect(first.changed).toBe(true);
    expect(fs.readlinkSync(path.join(dir, 'multi-user.target.wants', 'stack-web.service'))).toBe(
      '../stack-web.service',
    );
    expect(installUnit(dir, facts()).changed).toBe(false);
    expect(removeUnit(dir, 'web', '/var/lib/stack').changed).toBe(true);
    expect(fs.readdirSync(dir)).toEqual(['multi-user.target.wants']);
    expect(fs.readdirSync(path.join(dir, 'multi-user.target.wants'))).toEqual([]);
  });

  it('leaves alone the unit of the same stack name under another STACK_ROOT', () => {
    installUnit(dir, facts({ root: '/srv/other' }));
    const mine = installUnit(dir, facts());
    expect(mine.changed).toBe(false);
    expect(mine.skipped).toMatch(/for STACK_ROOT \/srv\/other/);
    expect(removeUnit(dir, 'web', '/var/lib/stack').changed).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'stack-web.service'), 'utf8')).toContain('STACK_ROOT=/srv/other');
  });

  it('goes where STACK_SYSTEMD_UNIT_DIR says, nowhere when it is empty', () => {
    expect(unitDir({ STACK_SYSTEMD_UNIT_DIR: dir })).toBe(dir);
    expect(unitDir({ STACK_SYSTEMD_UNIT_DIR: '' })).toBeUndefined();
    // This host's PID 1 is not systemd: no default folder.
    expect(unitDir({})).toBe(fs.existsSync('/run/systemd/system') ? '/etc/systemd/system' : undefined);
  });
});
