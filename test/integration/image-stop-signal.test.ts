// The image's StopSignal (docker's STOPSIGNAL: postgres uses SIGINT) stops its containers,
// and the file's stop_signal wins over it, on the real kernel. Each container's shell
// traps only the signal it should get and then exits 0; as PID 1 it never sees a signal it
// has no handler for, so any other signal ends in SIGKILL after the grace period (137).

import path from 'node:path';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importTestImage, makeStackEnv, stack, uniqueProject, type StackEnv } from '../support/stack-cli.js';
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { killSupervisors } from '../support/processes.js';
import { psJson } from '../support/ps-json.js';

const IMAGE = 'stack.local/busybox-usr1:latest';
const before = snapshotHostObjects();
const project = uniqueProject('tstopsig');
let env: StackEnv;
let f: string[];

interface Row {
  service: string;
  state: string;
  exitCode?: number;
}

/** Traps `signal` (and only it) and exits 0 on it; healthy once the trap is set. */
const trapping = (signal: string, extra = '') => `    image: ${IMAGE}
    command: ["sh", "-c", "trap 'exit 0' ${signal}; touch /tmp/trapped; while :; do sleep 1000 & wait; done"]
    stop_grace_period: 30s
    healthcheck: { test: ["CMD", "test", "-f", "/tmp/trapped"], interval: 100ms, retries: 100 }
${extra}`;

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env, { tag: IMAGE, stopSignal: 'SIGUSR1' });
  const file = path.join(env.root, 'stack.yaml');
  fs.writeFileSync(
    file,
    `name: ${project}\nservices:\n  image-signal:\n${trapping('USR1')}  file-signal:\n${trapping('INT', '    stop_signal: SIGINT\n')}`,
  );
  f = ['-f', file];
});

afterAll(async () => {
  stack(env, [...f, 'down', '-t', '0']);
  await killSupervisors(project);
  expect(objectsNaming(newObjects(before, snapshotHostObjects()), [env.root, project])).toEqual({});
  env.dispose();
});

describe('stop signals', () => {
  it("stops with the image's StopSignal unless the file gives stop_signal", () => {
    const up = stack(env, [...f, 'up', '--wait', '--wait-timeout', '30']);
    expect(up.stderr).not.toMatch(/✖/);
    expect(up.code).toBe(0);
    expect(stack(env, [...f, 'stop']).code).toBe(0);
    const rows = psJson(stack(env, [...f, 'ps', '-a', '--format', 'json']).stdout) as Row[];
    // 0: the trap ran, so the signal it waits for arrived; 137 would be the SIGKILL after it did not.
    expect(Object.fromEntries(rows.map((r) => [r.service, r.exitCode]))).toEqual({
      'image-signal': 0,
      'file-signal': 0,
    });
  });
});
