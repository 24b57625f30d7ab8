// `stack up` pulls an image the store lacks (pull_policy missing, the default) from a local
// registry and runs it; `pull_policy: never` with a missing image fails before anything starts.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  httpGet,
  makeStackEnv,
  stack,
  uniqueProject,
  type StackEnv,
  writeStackFile,
} from '../support/stack-cli.js';
import { buildBusybox } from './oci-layouts.js';
import { startRegistry, type Registry } from './registry-fixture.js';

let env: StackEnv;
let registry: Registry;
let project: string;
let file: string;
let image: string;
let port: number;

beforeAll(async () => {
  env = makeStackEnv();
  registry = await startRegistry(path.join(env.root, 'registry'));
  buildBusybox(path.join(env.root, 'layout'), 'pulled by up');
  await registry.push(path.join(env.root, 'layout'), 'busybox:latest');
  image = `${registry.host}/busybox:latest`;
  project = uniqueProject('tpull');
  port = await freePort();
});

afterAll(async () => {
  if (file) stack(env, ['-f', file, 'down', '-t', '0']);
  await registry?.stop();
  env.dispose();
});

describe('up pulls missing images', () => {
  it('pull_policy never with a missing image: a clear error, and nothing started', () => {
    file = writeStackFile(
      env,
      project,
      `  web:\n    image: ${image}\n    pull_policy: never\n    command: httpd -f -p 80 -h /www\n`,
    );
    const up = stack(env, ['-f', file, 'up', '-d']);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain(
      `service web: image ${image} is not in the local store and its pull_policy is never; run \`stack image pull ${image}\``,
    );
    expect(fs.existsSync(path.join(env.env.STACK_ROOT!, 'stacks', project))).toBe(false);
    expect(fs.existsSync(path.join(env.env.STACK_RUN!, project))).toBe(false);
  });

  it('pull_policy missing (the default): pulls from the registry, then runs the container', async () => {
    file = writeStackFile(
      env,
      project,
      `  web:\n    image: ${image}\n    command: httpd -f -p 80 -h /www\n    ports: ["127.0.0.1:${port}:80"]\n    stop_grace_period: 1s\n`,
    );
    const up = stack(env, ['-f', file, 'up', '-d']);
    expect(up.stderr).toMatch(new RegExp(`pulling ${image.replace(/\./g, '\\.')} `));
    expect(up.stderr).toMatch(/✔ layer [0-9a-f]{12} pulled/);
    expect(up.code).toBe(0);
    expect(await httpGet(`http://127.0.0.1:${port}/`)).toContain('pulled by up');
    expect(stack(env, ['image', 'ls']).stdout).toContain(image);
  });

  it('a second up finds the image in the store and pulls nothing', () => {
    const up = stack(env, ['-f', file, 'up', '-d']);
    expect(up.code).toBe(0);
    expect(up.stderr).not.toMatch(/pulling/);
  });

  it('image rm refuses the image the running stack uses; prune keeps it', () => {
    const rm = stack(env, ['image', 'rm', image]);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toMatch(
      new RegExp(`image ${image.replace(/\./g, '\\.')} is used by ${project}/\\S+; remove those containers first`),
    );
    expect(stack(env, ['image', 'prune']).code).toBe(0);
    expect(stack(env, ['image', 'ls']).stdout).toContain(image);
  });
});
