// Runtime options docker refuses are refused by the loader, located, so `stack config` shows
// them too: non-namespaced sysctls, unknown ulimits, a soft limit above the hard one.

import { describe, expect, it } from 'vitest';
import { isNamespacedSysctl } from '../../planner/load/rules/runtime-options.js';
import { load, problems } from './helpers.js';

describe('runtime options rule', () => {
  it('accepts namespaced sysctls and refuses the others, as docker does', () => {
    expect(
      ['net.ipv4.ip_forward', 'kernel.shmmax', 'kernel.sem', 'fs.mqueue.msg_max'].map((n) =>
        isNamespacedSysctl(n, undefined),
      ),
    ).toEqual([true, true, true, true]);
    expect(isNamespacedSysctl('net.ipv4.ip_forward', 'host')).toBe(false);
    expect(
      problems(
        [
          'services:',
          '  web:',
          '    image: busybox',
          '    sysctls: { kernel.panic: 1, net.core.somaxconn: 1024 }',
          '  h:',
          '    image: busybox',
          '    network_mode: host',
          '    sysctls: [net.core.somaxconn=1, kernel.shmmax=1]',
        ].join('\n'),
      ),
    ).toEqual([
      "4:16: service web: sysctl kernel.panic is not namespaced; docker refuses it too (it would change the host's kernel)",
      "8:15: service h: sysctl net.core.somaxconn would change the host's network stack (network_mode: host); docker refuses it too",
    ]);
  });

  it('names unknown ulimits and a soft limit above the hard one', () => {
    expect(
      problems(
        [
          'services:',
          '  web:',
          '    image: busybox',
          '    ulimits:',
          '      nofile: { soft: 10, hard: 5 }',
          '      files: 1',
          '      nproc: 20',
          '      core: { soft: 1, hard: -1 }',
        ].join('\n'),
      ),
    ).toEqual([
      '5:23: service web: ulimit nofile: soft limit 10 is above the hard limit 5',
      '6:7: service web: unknown ulimit files; known: cpu, fsize, data, stack, core, rss, nproc, nofile, memlock, as, locks, sigpending, msgqueue, nice, rtprio, rttime',
    ]);
  });

  it('passes what docker accepts', () => {
    const stack = load(
      'services:\n  web:\n    image: busybox\n    sysctls: [net.core.somaxconn=1024, kernel.sem=1]\n    ulimits: { nofile: { soft: 5, hard: 10 }, nproc: 7 }\n',
    );
    expect(stack.services[0]!.ulimits).toEqual({ nofile: { soft: 5, hard: 10 }, nproc: { soft: 7, hard: 7 } });
  });
});
