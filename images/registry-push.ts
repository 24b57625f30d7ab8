// The write side of the distribution API, as `stack push` uses it: HEAD tells whether the
// repository has a blob already; a missing one is uploaded monolithically (POST opens an
// upload session, one PUT sends the whole blob with its digest, which the registry checks);
// the manifest goes last, under the tag, once everything it names is there.

import { createReadStream } from 'node:fs';
import type { HttpResponse } from './http-get.js';
import { RegistryError, type RegistryClient } from './registry-client.js';

/** True when the repository holds the blob (so it need not be sent). */
export async function registryHasBlob(client: RegistryClient, digest: string): Promise<boolean> {
  const res = await client.request(`/blobs/${digest}`, { method: 'HEAD', headers: {} });
  res.body.resume();
  if (res.status === 200) return true;
  if (res.status === 404) return false;
  await client.expect(res, 200, `blob ${digest}`);
  return false;
}

function location(res: HttpResponse, what: string, client: RegistryClient): URL {
  const raw = res.headers.location;
  if (typeof raw !== 'string' || raw === '')
    throw new RegistryError(`registry ${client.name()} opened an upload for ${what} without a Location`);
  return new URL(raw, res.url);
}

/** Uploads the file as the blob `digest` in one PUT. */
export async function uploadBlob(client: RegistryClient, digest: string, size: number, file: string): Promise<void> {
  const opened = await client.request('/blobs/uploads/', { method: 'POST', headers: { 'Content-Length': '0' } });
  await client.expect(opened, 202, `the upload of blob ${digest}`);
  opened.body.resume();
  const url = location(opened, `blob ${digest}`, client);
  url.searchParams.set('digest', digest);
  const put = await client.request(url.href, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
    body: () => createReadStream(file),
  });
  await client.expect(put, 201, `blob ${digest}`);
  put.body.resume();
}

/** Puts the manifest under `reference` (a tag or its digest); returns the digest the registry reports. */
export async function putManifest(
  client: RegistryClient,
  reference: string,
  mediaType: string,
  bytes: Buffer,
): Promise<string | undefined> {
  const res = await client.request(`/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'Content-Type': mediaType, 'Content-Length': String(bytes.length) },
    body: () => bytes,
  });
  await client.expect(res, 201, `manifest ${reference}`);
  res.body.resume();
  const digest = res.headers['docker-content-digest'];
  return typeof digest === 'string' ? digest : undefined;
}
