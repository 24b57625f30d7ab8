// Rootless mode without delegated cgroups: every cgroup key of a service is a located
// warning (not enforced), never silently dropped; elsewhere nothing is said.

import { describe, expect, it } from 'vitest';
import { isInitialUidMap } from '../../model/user-namespaces.js';
import { rootlessDirs } from '../../cli/rootless-entry.js';
import { loadTree } from './load-files.js';

const file = `services:
  a:
    image: busybox
    mem_limit: 64m
    pids_limit: 10
    deploy:
      resources:
        limits:
          cpus: "0.5"
  b:
    image: busybox
`;

describe('rootless limit notes', () => {
  it('warn at each cgroup key where containers get no cgroups, and say nothing elsewhere', () => {
    const t = loadTree({ 'stack.yaml': file }, { hostNoCgroups: true });
    expect(t.warnings.map((w) => `${w.line}:${w.col}: ${w.message.split(':')[0]}`)).toStrictEqual([
      '4:5: mem_limit of service "a" is not enforced',
      '5:5: pids_limit of service "a" is not enforced',
      '8:9: deploy.resources.limits of service "a" is not enforced',
    ]);
    expect(t.warnings[0]!.message).toContain('no delegated cgroup v2 subtree; see docs/rootless.md');
    expect(loadTree({ 'stack.yaml': file }, {}).warnings).toStrictEqual([]);
  });
});

describe('rootless mode detection and places', () => {
  it("tells the host's user namespace from any other by its uid_map", () => {
    expect(isInitialUidMap('         0          0 4294967295\n')).toBe(true);
    expect(isInitialUidMap('         0       1001          1\n         1     100000      65536\n')).toBe(false);
    expect(isInitialUidMap('         0     100000      65536\n')).toBe(false);
  });

  it('puts STACK_ROOT in the XDG data folder and STACK_RUN in the runtime folder, unless the environment names them', () => {
    expect(rootlessDirs({}, '/home/al', '/run/user/1000')).toEqual({
      root: '/home/al/.local/share/stack',
      run: '/run/user/1000/stack',
    });
    expect(rootlessDirs({ XDG_DATA_HOME: '/d' }, '/home/al', '/run/user/1000').root).toBe('/d/stack');
    expect(rootlessDirs({ STACK_ROOT: '/r', STACK_RUN: '/u' }, '/home/al', undefined)).toEqual({
      root: '/r',
      run: '/u',
    });
  });
});
