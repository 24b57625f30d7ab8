// A build's Dockerfile read before planning: a missing or unreadable one is a located
// Dockerfile error that says what to check, before any base image is asked for.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DockerfileError } from '../../../images/build/build-errors.js';
import { planBuild } from '../../../images/build/plan-build.js';
import { buildRequest } from '../../support/build-request.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-plan-build-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const request = (file: string) => buildRequest(dir, 'stack.local/planned:1', { dockerfile: { file } });

const noImage = async () => undefined;

describe('planBuild', () => {
  it('plans the steps of a Dockerfile it reads', async () => {
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nWORKDIR /app\n');
    const planned = await planBuild(request(path.join(dir, 'Dockerfile')), noImage);
    expect(planned.text).toBe('FROM scratch\nWORKDIR /app\n');
    expect(planned.planned.stages[0]!.steps).toMatchObject([{ kind: 'workdir', path: '/app' }]);
  });

  it('says that a missing Dockerfile does not exist, at its line 1', async () => {
    const err = await planBuild(request(path.join(dir, 'Missing.dockerfile')), noImage).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DockerfileError);
    expect((err as DockerfileError).diagnostics).toMatchObject([
      { line: 1, col: 1, message: 'the Dockerfile does not exist; check build.dockerfile and build.context' },
    ]);
  });

  it('says why a Dockerfile cannot be read: a folder', async () => {
    fs.mkdirSync(path.join(dir, 'Dockerfile'));
    const err = await planBuild(request(path.join(dir, 'Dockerfile')), noImage).catch((e: unknown) => e);
    expect((err as DockerfileError).diagnostics).toMatchObject([
      { message: 'cannot read the Dockerfile: EISDIR: illegal operation on a directory, read' },
    ]);
  });
});
