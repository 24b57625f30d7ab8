// A real registry for pull tests: Debian's docker-registry on 127.0.0.1 and a free port,
// with its storage and config in a temp folder, optionally behind htpasswd (basic) or token
// auth. Images get in with skopeo from OCI layouts the tests build. Everything is stopped
// by pid and removed by `stop()`.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../support/stack-cli.js';

const run = promisify(execFile);

export interface RegistryOptions {
  /** htpasswd basic auth with this user. */
  basic?: { username: string; password: string };
  /** Bearer token auth: the token server's URL, its name, and the cert that signs tokens. */
  token?: { realm: string; service: string; issuer: string; certFile: string };
}

export interface Registry {
  /** host:port, e.g. 127.0.0.1:40123 */
  host: string;
  storage: string;
  /** Copies the OCI layout `dir` (its single image, or all of an index) to `host/name`. */
  push(dir: string, name: string, creds?: string, format?: 'oci' | 'v2s2'): Promise<void>;
  /** The file holding a blob in the registry's filesystem storage. */
  blobFile(digest: string): string;
  stop(): Promise<void>;
}

async function waitForHttp(url: string, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`docker-registry exited (${child.exitCode}): ${fs.readFileSync(log, 'utf8')}`);
    try {
      const res = await fetch(url);
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`docker-registry did not answer on ${url}: ${fs.readFileSync(log, 'utf8')}`);
}

export async function startRegistry(dir: string, opts: RegistryOptions = {}): Promise<Registry> {
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const storage = path.join(dir, 'storage');
  const lines = [
    'version: 0.1',
    'log: { level: warn, accesslog: { disabled: true } }',
    `storage: { filesystem: { rootdirectory: ${JSON.stringify(storage)} }, delete: { enabled: true } }`,
    `http: { addr: "127.0.0.1:${port}", secret: "stack-test-secret" }`,
  ];
  if (opts.basic) {
    const file = path.join(dir, 'htpasswd');
    await run('htpasswd', ['-Bbc', file, opts.basic.username, opts.basic.password]);
    lines.push(`auth: { htpasswd: { realm: "stack-test", path: ${JSON.stringify(file)} } }`);
  }
  if (opts.token) {
    const t = opts.token;
    lines.push(
      `auth: { token: { realm: "${t.realm}", service: "${t.service}", issuer: "${t.issuer}", rootcertbundle: ${JSON.stringify(t.certFile)} } }`,
    );
  }
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(config, lines.join('\n') + '\n');
  const log = path.join(dir, 'registry.log');
  const out = fs.openSync(log, 'a');
  const child = spawn('/usr/bin/docker-registry', ['serve', config], { stdio: ['ignore', out, out] });
  fs.closeSync(out);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  };
  try {
    await waitForHttp(`http://127.0.0.1:${port}/v2/`, child, log);
  } catch (err) {
    await stop();
    throw err;
  }
  const policy = path.join(dir, 'policy.json');
  fs.writeFileSync(policy, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  const host = `127.0.0.1:${port}`;
  return {
    host,
    storage,
    async push(layout, name, creds, format) {
      // v2s2 converts to Docker schema 2 media types (new digests), so it cannot keep them.
      const args = [
        '--policy',
        policy,
        'copy',
        '--all',
        '--dest-tls-verify=false',
        ...(format ? ['--format', format] : ['--preserve-digests']),
      ];
      if (creds) args.push('--dest-creds', creds);
      await run('skopeo', [...args, `oci:${layout}`, `docker://${host}/${name}`], {
        env: { ...process.env, HOME: dir },
      });
    },
    blobFile: (digest) => {
      const hex = digest.slice('sha256:'.length);
      return path.join(storage, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    },
    stop,
  };
}
