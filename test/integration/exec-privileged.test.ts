// `stack exec --privileged`, as compose's: the exec'd process has every capability (here
// CAP_SYS_ADMIN, bit 21, which the container's default set lacks), with both exec stages.

import { beforeAll, describe, expect, it } from 'vitest';
import { stack, TEST_IMAGE, writeStackFile } from '../support/stack-cli.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';
import { INIT_STAGES, useInitStage } from '../support/init-stages.js';

const one = oneStackUnderTest('texecpriv');

beforeAll(() => {
  writeStackFile(
    one.env,
    one.project,
    `  box:
    image: ${TEST_IMAGE}
    network_mode: none
    command: ["sleep", "1000"]
    stop_grace_period: 0s
`,
  );
  const up = stack(one.env, ['-f', one.file, 'up', '-d']);
  expect(up.code, up.stderr).toBe(0);
}, 60_000);

const SYS_ADMIN = 1n << 21n;

describe.each(INIT_STAGES)('with the %s exec stage', (stage) => {
  beforeAll(() => useInitStage(stage));
  const capEff = (...flags: string[]) => {
    const env = { ...one.env, env: { ...one.env.env, STACK_INIT_STAGE: stage === 'node' ? 'node' : '' } };
    const r = stack(env, ['-f', one.file, 'exec', '-T', ...flags, 'box', 'grep', 'CapEff', '/proc/self/status']);
    expect(r.code, r.stderr).toBe(0);
    return BigInt(`0x${r.stdout.split(/\s+/)[1]}`);
  };

  it('exec --privileged has CAP_SYS_ADMIN; exec without it does not', () => {
    expect(capEff() & SYS_ADMIN).toBe(0n);
    expect(capEff('--privileged') & SYS_ADMIN).toBe(SYS_ADMIN);
  });
});

describe.each(INIT_STAGES)('exec -d with the %s exec stage', (stage) => {
  it('returns at once and the command runs on in the container', () => {
    const env = { ...one.env, env: { ...one.env.env, STACK_INIT_STAGE: stage === 'node' ? 'node' : '' } };
    const exec = (...args: string[]) => stack(env, ['-f', one.file, 'exec', '-T', ...args]);
    const marker = `/tmp/detached-${stage}`;
    // The command waits for a file only the next exec writes: returning at all proves -d did not wait.
    const d = exec('-d', 'box', 'sh', '-c', `while [ ! -e ${marker}.go ]; do sleep 0.1; done; echo done > ${marker}`);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toBe('');
    expect(exec('box', 'touch', `${marker}.go`).code).toBe(0);
    const check = exec('box', 'sh', '-c', `while [ ! -e ${marker} ]; do sleep 0.1; done; cat ${marker}`);
    expect(check.stdout).toBe('done\n');
    expect(exec('-d', 'box', '/no/such/command').code).not.toBe(0);
  });
});
