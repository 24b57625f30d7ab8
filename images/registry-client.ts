// The OCI distribution API v2 for one repository. The read side is here: manifests (by tag
// or digest) and blobs (whole or from an offset, to resume); push's writes go through
// `request` (registry-push.ts). A 401 is answered through registry-auth.ts and the resulting
// Authorization header is reused for the rest of the pull or push; a push's first write
// meets a 401 again when the token it holds was for pulling, and is answered again.

import { httpRequest, readBody, type HttpResponse, type HttpSend } from './http-get.js';
import { INDEX_TYPES, MANIFEST_TYPES } from './manifest.js';
import { answerChallenge, parseChallenge } from './registry-auth.js';
import { credentialsFor } from './registry-credentials.js';
import { registryBaseUrl, type RegistryRef } from './registry-ref.js';

export class RegistryError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = 'RegistryError';
    this.status = status;
  }
}

const ACCEPT = [...MANIFEST_TYPES, ...INDEX_TYPES].join(', ');
/** Manifests and indexes are small; anything bigger is not one. */
const MANIFEST_LIMIT = 4 << 20;

export interface FetchedManifest {
  body: Buffer;
  mediaType: string | undefined;
  /** Docker-Content-Digest as the registry sent it, when it did. */
  digest: string | undefined;
}

export class RegistryClient {
  private authorization: string | undefined;
  private readonly base: string;

  constructor(private readonly target: Pick<RegistryRef, 'registry' | 'repository'>) {
    this.base = `${registryBaseUrl(target.registry)}/v2/${target.repository}`;
  }

  /** The manifest or index that `reference` (a tag or a digest) names. */
  async manifest(reference: string): Promise<FetchedManifest> {
    const res = await this.request(`/manifests/${reference}`, { method: 'GET', headers: { Accept: ACCEPT } });
    if (res.status === 404) {
      res.body.resume();
      throw new RegistryError(
        `${this.name()}:${reference} does not exist in registry ${this.target.registry} (check the name and tag)`,
        404,
      );
    }
    await this.expect(res, 200, `manifest ${reference}`);
    const body = await readBody(res, MANIFEST_LIMIT);
    const type = res.headers['content-type']?.split(';')[0]?.trim();
    const digest = res.headers['docker-content-digest'];
    return { body, mediaType: type, digest: typeof digest === 'string' ? digest : undefined };
  }

  /** A blob's bytes from `offset` on; `partial` is true when the registry honoured the Range. */
  async blob(digest: string, offset = 0): Promise<{ res: HttpResponse; partial: boolean }> {
    const res = await this.request(`/blobs/${digest}`, {
      method: 'GET',
      headers: offset > 0 ? { Range: `bytes=${offset}-` } : {},
    });
    if (res.status === 206 && offset > 0) return { res, partial: true };
    if (res.status === 416 && offset > 0) {
      // What we hold is already the whole blob or longer: start over.
      res.body.resume();
      return this.blob(digest, 0);
    }
    await this.expect(res, 200, `blob ${digest}`);
    return { res, partial: false };
  }

  name(): string {
    return `${this.target.registry}/${this.target.repository}`;
  }

  /** Sends a request to `path` under the repository's API (or to an absolute URL the registry gave). */
  async request(path: string, how: HttpSend): Promise<HttpResponse> {
    const url = /^https?:\/\//.test(path) ? path : this.base + path;
    // An upload URL on another origin (storage the registry points to) never gets the credentials.
    const ours = new URL(url).origin === new URL(this.base).origin;
    const send = () =>
      httpRequest(url, {
        ...how,
        headers: this.authorization && ours ? { ...how.headers, Authorization: this.authorization } : how.headers,
      });
    let res = await send();
    if (res.status !== 401) return res;
    res.body.resume();
    const header = res.headers['www-authenticate'];
    if (typeof header !== 'string')
      throw new RegistryError(
        `registry ${this.target.registry} refused ${this.name()} (HTTP 401) without saying how to log in`,
        401,
      );
    const creds = credentialsFor(this.target.registry);
    this.authorization = await answerChallenge(
      parseChallenge(header),
      this.target.registry,
      this.target.repository,
      creds,
    );
    res = await send();
    if (res.status === 401 || res.status === 403) {
      res.body.resume();
      throw new RegistryError(
        `registry ${this.target.registry} refused access to ${this.name()} (HTTP ${res.status}) ${creds ? 'with the configured credentials; check them' : 'anonymously; configure credentials (STACK_REGISTRY_AUTH or ~/.docker/config.json)'}`,
        res.status,
      );
    }
    return res;
  }

  async expect(res: HttpResponse, status: number, what: string): Promise<void> {
    if (res.status === status) return;
    const text = (await readBody(res, 64 << 10).catch(() => Buffer.alloc(0))).toString('utf8').slice(0, 300);
    throw new RegistryError(
      `registry ${this.target.registry} answered HTTP ${res.status} for ${what} of ${this.name()}${text ? `: ${text.trim()}` : ''}`,
      res.status,
    );
  }
}
