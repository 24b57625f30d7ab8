import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pullImage } from '../../images/pull-image.js';
import { buildBusybox, type Layout } from './oci-layouts.js';
import { startRegistry, type Registry } from './registry-fixture.js';
import { startTokenServer, type TokenServer } from './token-server.js';

const user = { username: 'stk-user', password: 's3cret:with:colons' };
const auth = (host: string, u = user) =>
  JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${u.username}:${u.password}`).toString('base64') } } });

let tmp: string;
let layout: string;
let built: Layout;
const saved = {
  root: process.env.STACK_ROOT,
  auth: process.env.STACK_REGISTRY_AUTH,
  docker: process.env.DOCKER_CONFIG,
};

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-pull-auth-'));
  layout = path.join(tmp, 'layout');
  built = buildBusybox(layout);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeEach(() => {
  process.env.STACK_ROOT = fs.mkdtempSync(path.join(tmp, 'root-'));
  process.env.DOCKER_CONFIG = fs.mkdtempSync(path.join(tmp, 'docker-')); // never the real ~/.docker
  delete process.env.STACK_REGISTRY_AUTH;
});
afterEach(() => {
  for (const [name, value] of [
    ['STACK_ROOT', saved.root],
    ['STACK_REGISTRY_AUTH', saved.auth],
    ['DOCKER_CONFIG', saved.docker],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('pull with basic auth (registry htpasswd)', () => {
  let registry: Registry;
  beforeAll(async () => {
    registry = await startRegistry(path.join(tmp, 'basic'), { basic: user });
    await registry.push(layout, 'private/busybox:1', `${user.username}:${user.password}`);
  });
  afterAll(async () => registry?.stop());

  it('refuses anonymously with a message that says how to log in', async () => {
    await expect(pullImage(`${registry.host}/private/busybox:1`)).rejects.toThrow(
      /requires a login; give credentials in STACK_REGISTRY_AUTH or ~\/\.docker\/config\.json/,
    );
  });

  it('pulls with credentials from STACK_REGISTRY_AUTH', async () => {
    process.env.STACK_REGISTRY_AUTH = auth(registry.host);
    expect((await pullImage(`${registry.host}/private/busybox:1`)).id).toBe(built.manifest.config.digest);
  });

  it('pulls with credentials from $DOCKER_CONFIG/config.json (base64 auth)', async () => {
    fs.writeFileSync(path.join(process.env.DOCKER_CONFIG!, 'config.json'), auth(`http://${registry.host}`));
    expect((await pullImage(`${registry.host}/private/busybox:1`)).id).toBe(built.manifest.config.digest);
  });

  it('says the credentials are wrong when they are', async () => {
    process.env.STACK_REGISTRY_AUTH = auth(registry.host, { username: user.username, password: 'nope' });
    await expect(pullImage(`${registry.host}/private/busybox:1`)).rejects.toThrow(
      /refused access .*with the configured credentials; check them/,
    );
  });
});

describe('pull with bearer token auth (registry auth.token + a token service)', () => {
  let registry: Registry;
  let tokens: TokenServer;
  beforeAll(async () => {
    tokens = await startTokenServer(path.join(tmp, 'tokens'), user);
    registry = await startRegistry(path.join(tmp, 'token'), { token: tokens });
    await registry.push(layout, 'private/busybox:1', `${user.username}:${user.password}`);
  });
  afterAll(async () => {
    await registry?.stop();
    await tokens?.stop();
  });

  it('gets a token with the credentials and pulls', async () => {
    process.env.STACK_REGISTRY_AUTH = auth(registry.host);
    const before = tokens.requests;
    expect((await pullImage(`${registry.host}/private/busybox:1`)).id).toBe(built.manifest.config.digest);
    expect(tokens.requests - before).toBe(1); // one token for the whole pull
  });

  it('without credentials the token service refuses and the error says how to log in', async () => {
    await expect(pullImage(`${registry.host}/private/busybox:1`)).rejects.toThrow(
      /requires a login for private\/busybox/,
    );
  });
});
