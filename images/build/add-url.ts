// ADD of a URL: the file is fetched (redirects followed, the host's CA roots) into the
// build's scratch folder before the step's cache key is made, so the key covers what was
// fetched, as BuildKit's checksum of an HTTP source does. The file lands as the URL's last
// path segment in a folder destination, mode 0600 as docker gives it (unless --chmod),
// with the Last-Modified time when the server sends one. ADD never unpacks a fetched archive.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { httpGet } from '../http-get.js';
import { BuildContextError } from './build-context.js';

export interface Fetched {
  url: string;
  /** Scratch folder holding the file under its name. */
  dir: string;
  name: string;
  checksum: string;
}

export async function fetchUrl(url: string, scratch: string): Promise<Fetched> {
  const res = await httpGet(url).catch((err: Error) => {
    throw new BuildContextError(`ADD ${url}: ${err.message}`);
  });
  if (res.status !== 200) {
    res.body.resume();
    throw new BuildContextError(`ADD ${url}: the server answered ${res.status}`);
  }
  const name = decodeURIComponent(new URL(res.url).pathname.split('/').filter(Boolean).pop() ?? '') || 'index.html';
  const dir = await fsp.mkdtemp(path.join(scratch, 'url-'));
  const file = path.join(dir, name);
  const hash = createHash('sha256');
  res.body.on('data', (c: Buffer) => hash.update(c));
  await pipeline(res.body, fs.createWriteStream(file, { mode: 0o600 }));
  await fsp.chmod(file, 0o600);
  const modified = Date.parse(String(res.headers['last-modified'] ?? ''));
  if (!Number.isNaN(modified)) await fsp.utimes(file, new Date(modified), new Date(modified));
  return { url, dir, name, checksum: `sha256:${hash.digest('hex')}` };
}
