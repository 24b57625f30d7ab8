// The `stack` launcher (bin/stack) keeps NODE_EXTRA_CA_CERTS away from Node's start, where
// Node 20 would read the whole bundle on every command, and hands it to the registry
// client as STACK_EXTRA_CA_CERTS, which trusts it when it opens an https connection.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { repoRoot } from '../support/stack-cli.js';

const LOAD_WARNING = /Ignoring extra certs/;

describe('bin/stack', () => {
  it('starts Node without NODE_EXTRA_CA_CERTS', () => {
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: '/nonexistent/stk-extra-ca.pem' };
    // Node itself warns when it loads an unreadable bundle at start: the probe sees it…
    const plain = spawnSync(process.execPath, ['-e', '0'], { env, encoding: 'utf8' });
    expect(plain.stderr).toMatch(LOAD_WARNING);
    // …and through the launcher Node never reads it.
    const r = spawnSync(path.join(repoRoot, 'bin/stack'), ['--help'], { env, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: stack/);
    expect(r.stderr).not.toMatch(LOAD_WARNING);
  });
});

describe('registry client trust', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-ca-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  let server: https.Server;
  let url = '';

  beforeAll(async () => {
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { encoding: 'utf8' },
    );
    expect(made.status, made.stderr).toBe(0);
    server = https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, (_req, res) =>
      res.end('ok'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/v2/`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
    vi.unstubAllEnvs();
  });

  async function freshGet(extra: string | undefined): Promise<string> {
    vi.resetModules(); // the trust store is built once per process
    vi.stubEnv('NODE_EXTRA_CA_CERTS', undefined);
    vi.stubEnv('STACK_EXTRA_CA_CERTS', extra);
    const { httpGet, readBody } = await import('../../images/http-get.js');
    return (await readBody(await httpGet(url), 1024)).toString();
  }

  it('trusts the CA handed over as STACK_EXTRA_CA_CERTS', async () => {
    expect(await freshGet(cert)).toBe('ok');
  });

  it('rejects the same server without it', async () => {
    await expect(freshGet(undefined)).rejects.toThrow(/self[- ]signed|certificate/i);
  });
});
