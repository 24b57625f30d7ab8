// `stack doctor` on Debian 12's kernel with cgroup v2 only: the verdicts a user of a
// common host gets. STACK_ROOT on the guest's /tmp (tmpfs) works but does not persist: a
// warning; on the guest's root (overlayfs over the host's /) it cannot hold upper dirs: a
// failure, exit 1.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makeStackEnv, type StackEnv } from '../support/stack-cli.js';
import { stack } from './vm-support.js';

interface DoctorJson {
  ok: boolean;
  checks: { check: string; verdict: 'ok' | 'warn' | 'fail'; detail: string; fix?: string }[];
}

function doctor(env: StackEnv, extra: NodeJS.ProcessEnv = {}): { code: number; json: DoctorJson } {
  const r = stack({ ...env, env: { ...env.env, ...extra } }, ['doctor', '--format', 'json']);
  return { code: r.code, json: JSON.parse(r.stdout) as DoctorJson };
}

const checkOf = (json: DoctorJson, name: string) => {
  const c = json.checks.find((x) => x.check === name);
  assert.ok(c, `doctor has no ${name} check`);
  return c;
};

describe('stack doctor on cgroup v2 (Debian 12 kernel)', () => {
  let env: StackEnv;
  let overlayRoot: string;

  before(() => {
    env = makeStackEnv();
    overlayRoot = fs.mkdtempSync('/root/stk-doctor-');
  });

  after(() => {
    env.dispose();
    fs.rmSync(overlayRoot, { recursive: true, force: true });
  });

  it('passes on the unified hierarchy, with STACK_ROOT on tmpfs as a warning', () => {
    const { code, json } = doctor(env);
    assert.deepEqual(
      json.checks.filter((c) => c.verdict === 'fail'),
      [],
      'no check fails',
    );
    assert.equal(code, 0);
    assert.match(checkOf(json, 'kernel').detail, /^Linux 6\.1\./);
    assert.match(checkOf(json, 'cgroups').detail, /^v2 \(unified\).*memory.*pids.*cpu/);
    assert.equal(checkOf(json, 'cgroup-parent').verdict, 'ok');
    for (const name of ['root', 'namespaces', 'overlayfs', 'veth', 'bridge', 'nftables'])
      assert.equal(checkOf(json, name).verdict, 'ok', name);
    assert.equal(checkOf(json, 'stack-root').verdict, 'warn');
    assert.match(checkOf(json, 'stack-root').detail, /tmpfs/);
  });

  it('fails STACK_ROOT on overlayfs and names the fix', () => {
    const { code, json } = doctor(env, { STACK_ROOT: path.join(overlayRoot, 'lib') });
    assert.equal(code, 1);
    const root = checkOf(json, 'stack-root');
    assert.equal(root.verdict, 'fail');
    assert.match(`${root.detail} ${root.fix ?? ''}`, /overlay/);
  });
});
