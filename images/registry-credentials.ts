// Where registry credentials come from, first match wins:
//   1. STACK_REGISTRY_AUTH: JSON in the shape of docker's config.json, e.g.
//      {"auths":{"registry.example:5000":{"auth":"<base64 of user:password>"}}}
//      (an entry may give "username" and "password" instead of "auth").
//   2. $DOCKER_CONFIG/config.json, else ~/.docker/config.json (`docker login` writes it),
//      its `auths` section. Credential helpers (credsStore) are not consulted.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Credentials {
  username: string;
  password: string;
}

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
}

export class CredentialsError extends Error {
  constructor(source: string, why: string) {
    super(`registry credentials in ${source} are unusable: ${why}`);
    this.name = 'CredentialsError';
  }
}

/** The keys a registry may be filed under in `auths` (docker writes URLs for Docker Hub). */
function keysFor(registry: string): string[] {
  const keys = [
    registry,
    `https://${registry}`,
    `http://${registry}`,
    `https://${registry}/v1/`,
    `https://${registry}/v2/`,
  ];
  if (registry === 'docker.io') keys.push('https://index.docker.io/v1/', 'index.docker.io', 'registry-1.docker.io');
  return keys;
}

function entryCredentials(entry: AuthEntry, source: string): Credentials | undefined {
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const text = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon < 0) throw new CredentialsError(source, '"auth" is not base64 of user:password');
    return { username: text.slice(0, colon), password: text.slice(colon + 1) };
  }
  if (typeof entry.username === 'string' && typeof entry.password === 'string')
    return { username: entry.username, password: entry.password };
  return undefined;
}

function fromConfig(text: string, source: string, registry: string): Credentials | undefined {
  let doc: { auths?: Record<string, AuthEntry> };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (err) {
    throw new CredentialsError(source, `not valid JSON (${(err as Error).message})`);
  }
  const auths = doc?.auths ?? {};
  for (const key of keysFor(registry)) {
    const entry = auths[key];
    if (entry && typeof entry === 'object') {
      const creds = entryCredentials(entry, source);
      if (creds) return creds;
    }
  }
  return undefined;
}

export function credentialsFor(registry: string): Credentials | undefined {
  const env = process.env.STACK_REGISTRY_AUTH;
  if (env) {
    const creds = fromConfig(env, 'STACK_REGISTRY_AUTH', registry);
    if (creds) return creds;
  }
  const dir = process.env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker');
  const file = path.join(dir, 'config.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined; // no docker config: anonymous
  }
  return fromConfig(text, file, registry);
}

export function basicAuthorization(creds: Credentials): string {
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
}
