// Plan-time checks of runtime options: non-namespaced sysctls, unknown caps and ulimits.

import { describe, expect, it } from 'vitest';
import { checkRuntimeOptions, isNamespacedSysctl } from '../../planner/plan/check-runtime-options.js';
import { serviceDefaults } from '../../planner/load/service-defaults.js';
import type { Service, Stack } from '../../model/types.js';

const stackOf = (...services: Service[]): Stack =>
  ({ project: 'p', file: 'stack.yaml', projectDir: '/', services, networks: [], volumes: [], secrets: [], configs: [] });
const svc = (over: Partial<Service>): Service => ({ ...serviceDefaults('web', 'busybox', { file: 'stack.yaml', line: 1, col: 1 }), ...over });

describe('checkRuntimeOptions', () => {
  it('accepts namespaced sysctls and refuses the others, as docker does', () => {
    expect(['net.ipv4.ip_forward', 'kernel.shmmax', 'kernel.sem', 'fs.mqueue.msg_max'].map((n) => isNamespacedSysctl(n, undefined))).toEqual([true, true, true, true]);
    expect(isNamespacedSysctl('net.ipv4.ip_forward', 'host')).toBe(false);
    const problems: string[] = [];
    checkRuntimeOptions(stackOf(svc({ sysctls: { 'kernel.panic': '1', 'net.core.somaxconn': '1024' } }), svc({ name: 'h', networkMode: 'host', sysctls: { 'net.core.somaxconn': '1' } })), problems);
    expect(problems).toEqual([
      'service web: sysctl kernel.panic is not namespaced; docker refuses it too (it would change the host\'s kernel)',
      'service h: sysctl net.core.somaxconn would change the host\'s network stack (network_mode: host); docker refuses it too',
    ]);
  });

  it('names unknown capabilities and ulimits, and a soft limit above the hard one', () => {
    const problems: string[] = [];
    checkRuntimeOptions(stackOf(svc({ capAdd: ['net_admin', 'FLY'], capDrop: ['ALL'], ulimits: { nofile: { soft: 10, hard: 5 }, files: { soft: 1, hard: 1 } } })), problems);
    expect(problems).toEqual([
      'service web: unknown capability CAP_FLY in cap_add/cap_drop',
      'service web: ulimit nofile: soft limit 10 is above the hard limit 5',
      'service web: unknown ulimit files; known: cpu, fsize, data, stack, core, rss, nproc, nofile, memlock, as, locks, sigpending, msgqueue, nice, rtprio, rttime',
    ]);
  });
});
