// Privileged: the cgroup v2 device filter (bpf.ts, device-program.ts) on the real kernel.
// On cgroup v2 hosts there is no devices file: without this program a default container,
// which keeps CAP_MKNOD as docker's do, makes a node for the host's disk and reads it. This
// machine mounts cgroup v2 beside its v1 controllers (hybrid), and the kernel runs v2 device
// programs there too, so the attack runs for real in a group of that hierarchy: a process in
// it mknods nodes and opens them. A v2-only host (the qemu lane) runs the same test.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { restrictDevices } from '../../executor/host/linux/bpf.js';
import { deviceProgram } from '../../executor/host/linux/device-program.js';
import { DEVICE_ALLOW, parseDeviceRule } from '../../executor/host/linux/device-rules.js';

/** Where cgroup2 is mounted: /sys/fs/cgroup on v2 hosts, /sys/fs/cgroup/unified on hybrid ones. */
function cgroup2Mount(): string | undefined {
  const line = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((l) => / - cgroup2 /.test(l));
  return line?.split(' ')[4];
}

const mount = cgroup2Mount();
const group = mount && path.join(mount, `stk-devfilter-${process.pid}`);
const nodes = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-devnodes-'));

beforeAll(() => {
  if (!group) throw new Error('no cgroup2 mount on this host: the device filter cannot be tested');
  fs.mkdirSync(group);
  restrictDevices(group);
});
afterAll(() => {
  if (group && fs.existsSync(group)) fs.rmdirSync(group);
  fs.rmSync(nodes, { recursive: true, force: true });
});

/** Runs `script` in a shell that first moves itself into the restricted group; its output. */
function inGroup(script: string): string {
  const r = spawnSync('sh', ['-c', `echo $$ > ${group}/cgroup.procs || exit 99; ${script}`], {
    encoding: 'utf8',
    cwd: nodes,
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe("cgroup v2 device filter (docker's default list as an eBPF program)", () => {
  it('a process of the group can make any node but opens only the allowed ones', () => {
    // Made outside the group, as an image layer or another process would leave them.
    for (const [name, type, major, minor] of [
      ['null', 'c', 1, 3],
      ['kmsg', 'c', 1, 11],
      ['mem', 'c', 1, 1],
    ] as const) {
      execFileSync('mknod', [path.join(nodes, name), type, String(major), String(minor)]);
    }
    const out = inGroup(
      [
        'head -c0 null && echo null=ok || echo null=denied',
        'head -c0 kmsg 2>/dev/null && echo kmsg=ok || echo kmsg=denied',
        'head -c0 mem 2>/dev/null && echo mem=ok || echo mem=denied',
        // The attack: a node for the host's first disk, made and read from inside the group.
        'mknod disk b 8 0 && echo mknod=ok || echo mknod=denied',
        'head -c0 disk 2>/dev/null && echo disk=ok || echo disk=denied',
        'echo x > null && echo null-write=ok || echo null-write=denied',
      ].join('; '),
    );
    expect(out.split('\n')).toEqual([
      'null=ok',
      'kmsg=denied',
      'mem=denied',
      'mknod=ok',
      'disk=denied',
      'null-write=ok',
    ]);
  });

  it("the refusal is the program's: outside the group the same nodes open", () => {
    execFileSync('head', ['-c0', path.join(nodes, 'kmsg')]);
  });

  it('compiles every rule of the default list (wildcards, access subsets) into one program the verifier accepts', () => {
    const rules = DEVICE_ALLOW.map(parseDeviceRule);
    expect(rules.find((r) => r.major === 136)).toEqual({ type: 'c', major: 136, minor: undefined, access: 'rwm' });
    expect(rules[0]).toEqual({ type: 'c', major: undefined, minor: undefined, access: 'm' });
    expect(deviceProgram(rules).length % 8).toBe(0);
    expect(() => parseDeviceRule('c 1:3 rwx')).toThrow(/TYPE MAJOR:MINOR ACCESS/);
  });
});
