// Rootless mode refuses at load, at the offending line, what would fail at start for lack
// of a capability on the host (privileged, devices, a negative oom_score_adj, ulimits above
// the user's hard limits); rootful loads of the same file are unchanged.

import { describe, expect, it } from 'vitest';
import { hardLimitsOf } from '../../model/limits.js';
import { loadTree, treeProblems } from './load-files.js';

const rootless = { hostRootless: { hardLimits: { nofile: 20000, memlock: 8388608, nproc: Infinity } } };

const file = `services:
  a:
    image: busybox
    privileged: true
    devices: [/dev/fuse]
    oom_score_adj: -500
    ulimits:
      nofile: 1048576
      memlock: {soft: 1024, hard: -1}
      nproc: 65535
  b:
    image: busybox
    oom_score_adj: 500
    privileged: false
    ulimits: {nofile: 20000}
`;

describe('rootless refusals at load', () => {
  it('refuses each key that needs a capability on the host, at its line, with why', () => {
    const problems = treeProblems({ 'stack.yaml': file }, rootless);
    expect(problems.map((p) => p.split(' of service')[0])).toStrictEqual([
      'stack.yaml:4:17: privileged: true',
      'stack.yaml:5:5: devices',
      'stack.yaml:6:20: oom_score_adj -500',
      'stack.yaml:8:7: ulimits.nofile 1048576',
      'stack.yaml:9:7: ulimits.memlock unlimited',
    ]);
    expect(problems[0]).toContain('a user namespace may not make');
    expect(problems[3]).toContain("above the user's hard limit 20000");
    for (const p of problems) expect(p).toContain('in rootless mode nothing has a capability on the host');
  });

  it('loads the same file rootful, and a file within the limits rootless', () => {
    expect(loadTree({ 'stack.yaml': file }, {}).services[0]!.privileged).toBe(true);
    const fine = `services:\n  b:\n    image: busybox\n    oom_score_adj: 500\n    ulimits: {nofile: 1024}\n`;
    expect(loadTree({ 'stack.yaml': fine }, rootless).services[0]!.ulimits.nofile).toStrictEqual({
      soft: 1024,
      hard: 1024,
    });
  });

  it("reads the hard limits from /proc/PID/limits's rows, in RLIMIT order", () => {
    const limits = hardLimitsOf(
      'Limit                     Soft Limit           Hard Limit           Units     \n' +
        'Max cpu time              unlimited            unlimited            seconds   \n' +
        'Max file size             unlimited            unlimited            bytes     \n' +
        'Max data size             unlimited            unlimited            bytes     \n' +
        'Max stack size            8388608              unlimited            bytes     \n' +
        'Max core file size        0                    unlimited            bytes     \n' +
        'Max resident set          unlimited            unlimited            bytes     \n' +
        'Max processes             96367                96367                processes \n' +
        'Max open files            1024                 20000                files     \n',
    );
    expect(limits).toMatchObject({ cpu: Infinity, stack: Infinity, nproc: 96367, nofile: 20000 });
  });
});
