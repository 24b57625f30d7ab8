// A tiny token service for the registry's `auth.token` mode, as Docker Hub runs one: it
// checks basic credentials and answers a JWT (RS256, signed with a self-made key whose
// self-signed certificate the registry trusts via rootcertbundle, sent along as x5c).
// Listens on 127.0.0.1 only; counts the requests so tests can see it was asked.

import { execFileSync } from 'node:child_process';
import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  certFile: string;
  requests: number;
  stop(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export async function startTokenServer(
  dir: string,
  user: { username: string; password: string },
): Promise<TokenServer> {
  fs.mkdirSync(dir, { recursive: true });
  const keyFile = path.join(dir, 'token.key');
  const certFile = path.join(dir, 'token.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=stack-test-token',
    ],
    { stdio: 'ignore' },
  );
  const key = fs.readFileSync(keyFile, 'utf8');
  const der = new X509Certificate(fs.readFileSync(certFile)).raw.toString('base64');
  const service = 'stack-test-registry';
  const issuer = 'stack-test-issuer';
  const expected = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;

  const state = { requests: 0 };
  const server = http.createServer((req, res) => {
    state.requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"details":"bad credentials"}');
      return;
    }
    const access = url.searchParams.getAll('scope').map((scope) => {
      const [type, name, actions] = scope.split(':');
      return { type, name, actions: (actions ?? '').split(',') };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [der] };
    const claims = {
      iss: issuer,
      sub: user.username,
      aud: url.searchParams.get('service'),
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access,
    };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(key);
    res
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ token: `${signingInput}.${b64url(signature)}`, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certFile,
    get requests() {
      return state.requests;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
