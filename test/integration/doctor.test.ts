// `stack doctor` on this machine (kernel 6.18, cgroup v1 controllers with a cgroup2 mount
// beside them), then with one piece missing for real where that is safe: STACK_ROOT on an
// overlay mount made here, a PATH without nft, and an stk-named nftables table whose
// forward and input chains drop by policy.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithoutLibnftables } from '../support/hidden-libnftables.js';
import { mountTestOverlay } from '../support/overlay-mount.js';
import { runTool } from '../support/run-tool.js';
import { makeStackEnv, repoRoot, type StackEnv } from '../support/stack-cli.js';

interface DoctorJson {
  ok: boolean;
  checks: { check: string; verdict: 'ok' | 'warn' | 'fail'; detail: string; fix?: string; section?: string }[];
}

let env: StackEnv;

beforeAll(() => {
  env = makeStackEnv();
});

afterAll(() => env.dispose());

function doctor(extraEnv: NodeJS.ProcessEnv = {}): { code: number; json: DoctorJson; stderr: string } {
  const r = spawnSync(path.join(repoRoot, 'bin/stack'), ['doctor', '--format', 'json'], {
    cwd: env.root,
    env: { ...env.env, ...extraEnv },
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, json: JSON.parse(r.stdout) as DoctorJson, stderr: r.stderr };
}

const checkOf = (json: DoctorJson, name: string) => json.checks.find((c) => c.check === name)!;

describe('stack doctor on this machine', () => {
  it('passes every check that stack needs, and says the cgroups are hybrid v1', () => {
    const { code, json } = doctor();
    // What rootful stack needs; the rootless section (for $SUDO_USER under sudo) may fail and
    // decides nothing (test/integration/doctor-rootless.test.ts).
    expect(json.checks.filter((c) => c.verdict === 'fail' && c.section === undefined)).toEqual([]);
    expect(code).toBe(0);
    expect(json.ok).toBe(true);
    for (const name of [
      'root',
      'kernel',
      'namespaces',
      'overlayfs',
      'veth',
      'bridge',
      'cgroups',
      'cgroup-parent',
      'nftables',
      'ip-forward',
      'stack-root',
      'stack-run',
    ]) {
      expect(checkOf(json, name), name).toMatchObject({ verdict: 'ok' });
    }
    expect(checkOf(json, 'cgroups').detail).toMatch(/hybrid.*memory, pids, cpu, devices/);
    expect(checkOf(json, 'kernel').detail).toMatch(/^Linux 6\.18/);
  });

  it('text output: one line per check, and the summary on stderr', () => {
    const r = spawnSync(path.join(repoRoot, 'bin/stack'), ['doctor'], {
      cwd: env.root,
      env: env.env,
      encoding: 'utf8',
    });
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBe(doctor().json.checks.length);
    expect(lines.every((l) => /^(ok|warn|fail) +[a-z-]+ +\S/.test(l))).toBe(true);
    expect(r.stderr).toMatch(/stack can run on this host|with warnings/);
  });

  // nobody has no subordinate ids: rootless mode, which its commands would use, cannot start.
  it('as another user: rootless mode is what blocks (no subordinate ids), and the checks that need root say so instead of failing', () => {
    const r = spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        path.join(repoRoot, 'bin/stack'),
        'doctor',
        '--format',
        'json',
      ],
      { cwd: '/', env: env.env, encoding: 'utf8' },
    );
    expect(r.status).toBe(1);
    const json = JSON.parse(r.stdout) as DoctorJson;
    expect(checkOf(json, 'root')).toMatchObject({ verdict: 'ok', detail: expect.stringContaining('rootless mode') });
    expect(checkOf(json, 'subids')).toMatchObject({ verdict: 'fail', blocking: true });
    expect(checkOf(json, 'nftables')).toMatchObject({ verdict: 'warn', detail: expect.stringContaining('needs root') });
  });
});

describe('stack doctor with a stack file', () => {
  it("names the file's fixed published ports that fall in the host's ephemeral range", () => {
    const file = path.join(env.root, 'stack.yaml');
    fs.writeFileSync(
      file,
      'name: stkdoctorports\nservices:\n  web:\n    image: busybox\n    ports: ["40000:80", "8080:80", "80"]\n',
    );
    try {
      const ports = checkOf(doctor().json, 'ports');
      expect(ports).toMatchObject({
        verdict: 'warn',
        detail: expect.stringContaining("publishes 40000 (web) inside the host's ephemeral range"),
        fix: expect.stringContaining('ip_local_reserved_ports=40000'),
      });
    } finally {
      fs.rmSync(file);
    }
  });
});

describe('stack doctor with a piece missing', () => {
  it('STACK_ROOT on an overlay mount fails, naming overlayfs and the fix', async () => {
    const merged = await mountTestOverlay(path.join(env.root, 'stk-overlay'), 'stk-doctor-test');
    try {
      // Made already (the trial mount is what the kernel says) and not made yet (the parent's filesystem).
      fs.mkdirSync(path.join(merged, 'lib'));
      for (const root of [path.join(merged, 'lib'), path.join(merged, 'not-yet')]) {
        const { code, json } = doctor({ STACK_ROOT: root });
        expect(code).toBe(1);
        expect(checkOf(json, 'stack-root')).toMatchObject({
          verdict: 'fail',
          detail: expect.stringContaining('is on overlayfs'),
          fix: expect.stringContaining('point STACK_ROOT at a folder on another filesystem'),
        });
      }
    } finally {
      await runTool('umount', [merged]);
    }
  });

  it('a PATH without nft warns about the nft command; stack itself still has libnftables', () => {
    const { json } = doctor({ PATH: '/usr/bin' });
    expect(fs.existsSync('/usr/bin/nft')).toBe(false);
    expect(checkOf(json, 'nft-command')).toMatchObject({
      verdict: 'warn',
      fix: expect.stringContaining('apt-get install nftables'),
    });
    expect(checkOf(json, 'nftables').verdict).toBe('ok');
  });

  it('without libnftables (an empty file bound over it for doctor alone) nftables fails with the package to install', () => {
    const r = runWithoutLibnftables([path.join(repoRoot, 'bin/stack'), 'doctor', '--format', 'json'], {
      cwd: env.root,
      env: env.env,
    });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as DoctorJson;
    expect(checkOf(json, 'nftables')).toMatchObject({
      verdict: 'fail',
      detail: expect.stringContaining('libnftables.so.1 not found'),
      fix: expect.stringContaining('apt-get install nftables'),
    });
    expect(checkOf(json, 'firewall').verdict).toBe('warn');
  });

  it('a table whose forward and input chains drop by policy is named, with the rules that let stack through', async () => {
    const table = 'stk_doctor_fw';
    // Each chain accepts everything before its policy is reached: the host's traffic (other
    // tests run at the same time) is not touched, while the policy is what doctor reads.
    await runTool(
      'nft',
      ['-f', '-'],
      [
        `table inet ${table} {`,
        '  chain forward { type filter hook forward priority 10; policy drop; counter accept; }',
        '  chain input { type filter hook input priority 10; policy drop; counter accept; }',
        '}',
      ].join('\n'),
    );
    try {
      const dropped = checkOf(doctor().json, 'firewall');
      expect(dropped.verdict).toBe('warn');
      expect(dropped.detail).toContain(
        `nftables table inet ${table} chain forward drops by policy at the forward hook`,
      );
      expect(dropped.detail).toContain(`nftables table inet ${table} chain input drops by policy at the input hook`);
      expect(dropped.fix).toContain(`nft insert rule inet ${table} forward iifname "stkb*" accept`);
      // Once the table lets stack's bridges through, the policy is no gap.
      await runTool('nft', ['insert', 'rule', 'inet', table, 'forward', 'iifname', 'stkb*', 'accept']);
      expect(checkOf(doctor().json, 'firewall')).toMatchObject({
        verdict: 'ok',
        detail: expect.stringContaining("let stack's bridges through"),
      });
    } finally {
      await runTool('nft', ['delete', 'table', 'inet', table]);
    }
  });
});
