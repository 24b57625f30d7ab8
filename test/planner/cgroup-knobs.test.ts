// The cgroup knobs as the loader reads them: docker's short and long device forms, the
// values it treats as "not set", the host's CPUs for cpuset, and the located warnings on a
// cgroup v2 host for the knobs v2 lacks.

import { describe, expect, it } from 'vitest';
import { parseDevice } from '../../planner/load/cgroup-knobs.js';
import { loadTree, treeProblems } from './load-files.js';

const file = (keys: string) => ({ 'stack.yaml': `services:\n  a:\n    image: x\n${keys}` });

describe('devices', () => {
  it.each([
    ['/dev/zero', { source: '/dev/zero', target: '/dev/zero', permissions: 'rwm' }],
    ['/dev/zero:/dev/z', { source: '/dev/zero', target: '/dev/z', permissions: 'rwm' }],
    ['/dev/zero:r', { source: '/dev/zero', target: '/dev/zero', permissions: 'r' }],
    ['/dev/zero:/dev/z:mw', { source: '/dev/zero', target: '/dev/z', permissions: 'mw' }],
  ])('%s as docker parses it', (entry, mapping) => {
    expect(parseDevice(entry)).toStrictEqual(mapping);
  });

  it('a target outside /dev is refused at its line', () => {
    expect(treeProblems(file('    devices: ["/dev/zero:/opt/zero", "/dev/zero:/dev/shm/z"]\n'))).toStrictEqual([
      'stack.yaml:4:15: devices entry "/dev/zero" of service "a" goes to /opt/zero: stack makes device nodes under /dev only (not in /dev/pts or /dev/shm); give a target there',
      'stack.yaml:4:38: devices entry "/dev/zero" of service "a" goes to /dev/shm/z: stack makes device nodes under /dev only (not in /dev/pts or /dev/shm); give a target there',
    ]);
  });
});

describe('cpuset and the host', () => {
  it('a CPU the host lacks is refused; config, which knows no host, accepts it', () => {
    expect(treeProblems(file('    cpuset: "0,2-3"\n'), { hostCpus: 2 })).toStrictEqual([
      'stack.yaml:4:13: cpuset "0,2-3" of service "a" names CPU 2, and this host has CPUs 0-1 only',
    ]);
    expect(loadTree(file('    cpuset: "0,2-3"\n')).services[0]!.resources.cpuset).toBe('0,2-3');
  });
});

describe('knobs cgroup v2 lacks', () => {
  const keys = '    mem_swappiness: 10\n    oom_kill_disable: true\n';

  it('are located warnings on a v2 host, and nothing on v1', () => {
    const v2 = loadTree(file(keys), { hostCgroup: 'v2' });
    expect(v2.warnings.map((w) => `${w.line}:${w.col}: ${w.message}`)).toStrictEqual([
      '4:5: mem_swappiness of service "a" has no effect: this host has cgroup v2, which has no per-container swappiness (docker discards it there too)',
      '5:5: oom_kill_disable of service "a" has no effect: this host has cgroup v2, which cannot keep the OOM killer from a container (docker discards it there too)',
    ]);
    expect(loadTree(file(keys), { hostCgroup: 'v1' }).warnings).toStrictEqual([]);
  });

  it('-1 (docker\'s "not set") and false set nothing and warn of nothing', () => {
    const t = loadTree(file('    mem_swappiness: -1\n    oom_kill_disable: false\n'), { hostCgroup: 'v2' });
    expect(t.warnings).toStrictEqual([]);
    expect(t.services[0]!.resources.memorySwappiness).toBeUndefined();
  });
});

describe('cgroup_parent', () => {
  it('is a path below the cgroup root, a leading / too, as docker reads it', () => {
    const parent = (v: string) => loadTree(file(`    cgroup_parent: "${v}"\n`)).services[0]!.resources.cgroupParent;
    expect(parent('/my-parent/sub/')).toBe('my-parent/sub');
    expect(parent('my-parent')).toBe('my-parent');
    expect(parent('/')).toBeUndefined();
  });

  it('a . or .. segment, or stack/ (stack keeps its own groups there), is refused at its line', () => {
    expect(
      treeProblems(file('    cgroup_parent: "/a/../../etc"\n')).concat(
        treeProblems(file('    cgroup_parent: ./a\n')),
        treeProblems(file('    cgroup_parent: /stack/x\n')),
        treeProblems(file('    cgroup_parent: /p/stk-other.other-web-1\n')),
      ),
    ).toStrictEqual([
      'stack.yaml:4:20: cgroup_parent "/a/../../etc" of service "a" has a "." or ".." segment: it is a path below the cgroup root (as docker reads it), so give one without them, such as my-parent/sub',
      'stack.yaml:4:20: cgroup_parent "./a" of service "a" has a "." or ".." segment: it is a path below the cgroup root (as docker reads it), so give one without them, such as my-parent/sub',
      'stack.yaml:4:20: cgroup_parent "/stack/x" of service "a" is inside stack/, where stack keeps the groups of containers without a parent; give another path',
      // Inside another stack's container group: its limits and freezes, and its down blocked (found in review).
      'stack.yaml:4:20: cgroup_parent "/p/stk-other.other-web-1" of service "a" has a segment starting "stk-", the names of containers\' own groups: inside one it would take that container\'s limits and freezes and keep its group from being removed; give another name',
    ]);
  });
});

describe('cpu_rt_runtime and cpu_rt_period', () => {
  const rt = '    cpu_rt_runtime: 400ms\n    cpu_rt_period: "1400000"\n';

  it('are microseconds, or durations as compose writes them', () => {
    const r = loadTree(file(rt), { hostCgroup: 'v1', hostRtGroupSched: true }).services[0]!.resources;
    expect([r.cpuRtRuntimeUs, r.cpuRtPeriodUs]).toStrictEqual([400_000, 1_400_000]);
  });

  it('a runtime longer than its period is refused at its line', () => {
    expect(treeProblems(file('    cpu_rt_runtime: 2000000\n'))).toStrictEqual([
      'stack.yaml:4:21: cpu_rt_runtime 2000000µs of service "a" is longer than its period of 1000000µs (the kernel\'s default); give a runtime within the period',
    ]);
  });

  it('a host without realtime group scheduling, or on cgroup v2, refuses them at their lines naming why', () => {
    expect(treeProblems(file(rt), { hostCgroup: 'v1', hostRtGroupSched: false })).toStrictEqual([
      'stack.yaml:4:5: cpu_rt_runtime of service "a": this kernel has no realtime group scheduling (CONFIG_RT_GROUP_SCHED: its cpu groups have no cpu.rt_runtime_us); leave it out, or boot a kernel built with it',
      'stack.yaml:5:5: cpu_rt_period of service "a": this kernel has no realtime group scheduling (CONFIG_RT_GROUP_SCHED: its cpu groups have no cpu.rt_runtime_us); leave it out, or boot a kernel built with it',
    ]);
    expect(treeProblems(file(rt), { hostCgroup: 'v2' })[0]).toBe(
      'stack.yaml:4:5: cpu_rt_runtime of service "a": this host has cgroup v2, which has no realtime budget per group (cpu.rt_runtime_us is cgroup v1 only); leave it out, or run the host on cgroup v1',
    );
  });
});
