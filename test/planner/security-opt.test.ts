// security_opt as docker reads it: no_new_privs off unless an entry turns it on; an entry
// docker does not know is an error at its line; an AppArmor profile or SELinux label is a
// note on a host without that module and refused on a host that enforces it.

import { describe, expect, it } from 'vitest';
import { noNewPrivilegesOf } from '../../model/security-opt.js';
import { loadTree, treeProblems } from './load-files.js';

const file = (opts: string) => ({ 'stack.yaml': `services:\n  a:\n    image: x\n    security_opt: ${opts}\n` });

describe('no-new-privileges', () => {
  it.each([
    [[], false],
    [['no-new-privileges'], true],
    [['no-new-privileges:true'], true],
    [['no-new-privileges=true'], true],
    [['no-new-privileges:false'], false],
    [['no-new-privileges=true', 'no-new-privileges=false'], false],
    [['seccomp=unconfined'], false],
  ])('%j → %s', (opts, on) => {
    expect(noNewPrivilegesOf(opts)).toBe(on);
  });
});

describe('security_opt entries', () => {
  it('an unknown one, or a bad no-new-privileges value, is an error at its line', () => {
    expect(treeProblems(file('["no-new-privileges:maybe", "nonsense=1"]'))).toStrictEqual([
      'stack.yaml:4:20: invalid security_opt "no-new-privileges:maybe" of service "a": no-new-privileges takes true or false, not "maybe"',
      'stack.yaml:4:47: invalid security_opt "nonsense=1" of service "a": expected seccomp=…, no-new-privileges[:true|false], apparmor=… or label=…',
    ]);
  });

  it('apparmor and label are notes on a host without those modules', () => {
    const stack = loadTree(file('["apparmor=docker-default", "label=disable"]'), { hostLsms: ['capability'] });
    expect(stack.warnings.map((w) => `${w.line}:${w.col}: ${w.message}`)).toStrictEqual([
      '4:20: security_opt "apparmor=docker-default" of service "a" does nothing here: this host has no apparmor, and docker ignores it there too',
      '4:47: security_opt "label=disable" of service "a" does nothing here: this host has no selinux, and docker ignores it there too',
    ]);
  });

  it('an AppArmor profile is refused on a host that enforces AppArmor', () => {
    expect(treeProblems(file('["apparmor=docker-default"]'), { hostLsms: ['capability', 'apparmor'] })).toStrictEqual([
      'stack.yaml:4:20: valid Compose, not supported by stack: security_opt "apparmor=docker-default" of service "a": remove it; stack loads no apparmor profile or label, and this host enforces apparmor',
    ]);
  });

  it('config, which knows no host, says nothing of them', () => {
    expect(loadTree(file('["apparmor=docker-default"]')).warnings).toStrictEqual([]);
  });
});
