// Privileged: `stack push` pushes the images of the services that build a named image, and
// only those; a fresh STACK_ROOT pulls one back and `stack up` runs it. `stack image save`
// and `stack image push` through the CLI; a failed push is fatal unless
// --ignore-push-failures makes it a warning.

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
import { buildBusybox, type Layout } from './oci-layouts.js';
import { startRegistry, type Registry } from './registry-fixture.js';

let builder: StackEnv;
let runner: StackEnv;
let registry: Registry;
let built: Layout;
let image: string;
let runFile: string | undefined;
const project = uniqueProject('tpush');

beforeAll(async () => {
  builder = makeStackEnv();
  runner = makeStackEnv();
  registry = await startRegistry(path.join(builder.root, 'registry'));
  const layout = path.join(builder.root, 'layout');
  built = buildBusybox(layout, 'pushed by stack push');
  image = `${registry.host}/tpush/web:1`;
  // What a build leaves: the image in the store under the service's `image:`.
  expect(stack(builder, ['image', 'import', layout, '--tag', image]).code).toBe(0);
});

afterAll(async () => {
  if (runFile) stack(runner, ['-f', runFile, 'down', '-t', '0']);
  await registry?.stop();
  builder?.dispose();
  runner?.dispose();
});

describe('stack push', () => {
  it('pushes the image of a service that builds a named image, and skips the others', () => {
    const file = writeStackFile(
      builder,
      project,
      `  web:\n    build: .\n    image: ${image}\n  unnamed:\n    build: .\n  db:\n    image: ${registry.host}/tpush/db:1\n`,
    );
    const push = stack(builder, ['-f', file, 'push']);
    expect(push.code).toBe(0);
    expect(push.stdout).toBe(`${image}: digest: ${built.manifestDesc.digest} size: ${built.manifestDesc.size}\n`);
    expect(push.stderr).toContain(`pushing ${image}\n`);
    for (const blob of [built.manifest.config, built.manifest.layers[0]!])
      expect(push.stderr).toContain(`${blob.digest.slice(7, 19)}: Pushed\n`);
    expect(push.stderr).not.toContain('tpush/db');
    expect(push.stderr).not.toContain(`${project}-unnamed`);
  });

  it('a fresh store pulls the pushed image and `stack up` runs it', async () => {
    expect(stack(runner, ['image', 'pull', image]).code).toBe(0);
    const ls = JSON.parse(stack(runner, ['image', 'ls', '--format', 'json']).stdout) as Array<{
      id: string;
      manifest: string;
    }>;
    expect(ls.map((i) => [i.id, i.manifest])).toEqual([[built.manifest.config.digest, built.manifestDesc.digest]]);
    const port = await freePort();
    runFile = writeStackFile(
      runner,
      project,
      `  web:\n    image: ${image}\n    command: httpd -f -p 80 -h /www\n    ports: ["127.0.0.1:${port}:80"]\n    stop_grace_period: 1s\n`,
    );
    const up = stack(runner, ['-f', runFile, 'up', '-d']);
    expect(up.stderr).not.toMatch(/pulling/);
    expect(up.code).toBe(0);
    expect(await httpGet(`http://127.0.0.1:${port}/`)).toContain('pushed by stack push');
  });

  it('a failed push fails the command; --ignore-push-failures makes it a warning', () => {
    const missing = `${registry.host}/tpush/missing:1`;
    const file = writeStackFile(builder, project, `  gone:\n    build: .\n    image: ${missing}\n`);
    const failed = stack(builder, ['-f', file, 'push', '-q']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`stack: no image ${missing} in the store`);
    const ignored = stack(builder, ['-f', file, 'push', '--ignore-push-failures']);
    expect(ignored.code).toBe(0);
    expect(ignored.stderr).toContain(`warning: ${missing} was not pushed: no image ${missing} in the store`);
  });
});

describe('stack image save and push', () => {
  it('saves an OCI archive and pushes one image by reference', () => {
    const archive = path.join(builder.root, 'web.tar');
    const save = stack(builder, ['image', 'save', image, '-o', archive]);
    expect(save.code).toBe(0);
    expect(fs.statSync(archive).size).toBeGreaterThan(0);
    const again = `${registry.host}/tpush/web:2`; // the same repository: its blobs are there
    expect(stack(builder, ['image', 'import', archive, '--tag', again]).code).toBe(0);
    const push = stack(builder, ['image', 'push', again]);
    expect(push.code).toBe(0);
    expect(push.stderr).toContain('Layer already exists'); // the registry has the blobs from the first push
    expect(push.stdout).toBe(`${again}: digest: ${built.manifestDesc.digest} size: ${built.manifestDesc.size}\n`);
  });
});
