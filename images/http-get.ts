// HTTP(S) with what a registry client needs and Node's fetch lacks on Node 20: extra CA
// certificates given at run time (STACK_EXTRA_CA_CERTS, on top of the system roots and
// NODE_EXTRA_CA_CERTS), redirects that drop credentials when they leave the origin (blob
// downloads are often redirected to storage), and streamed bodies both ways (push uploads).

import fs from 'node:fs';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import tls from 'node:tls';

export class HttpError extends Error {
  constructor(url: string, cause: Error) {
    super(`cannot reach ${url}: ${cause.message}`, { cause });
    this.name = 'HttpError';
  }
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  /** The URL that answered (after redirects). */
  url: string;
}

const MAX_REDIRECTS = 5;
/** No byte for this long on an open connection: give up (the pull can then be resumed). */
const IDLE_TIMEOUT_MS = 60_000;

let ca: string[] | undefined;
function certificates(): string[] {
  if (ca) return ca;
  ca = [...tls.rootCertificates];
  for (const name of ['NODE_EXTRA_CA_CERTS', 'STACK_EXTRA_CA_CERTS']) {
    const file = process.env[name];
    if (!file) continue;
    try {
      ca.push(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`${name}=${file} cannot be read: ${(err as Error).message}`);
    }
  }
  return ca;
}

/** What a request sends besides its URL; the body is made per attempt, so an answered 401 can send it again. */
export interface HttpSend {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH';
  headers: Record<string, string>;
  body?: () => Buffer | Readable;
}

function once(url: URL, send: HttpSend): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const options = { method: send.method, headers: send.headers, timeout: IDLE_TIMEOUT_MS };
    const req =
      url.protocol === 'https:'
        ? https.request(url, { ...options, ca: certificates() }, resolve)
        : http.request(url, options, resolve);
    req.on('timeout', () => req.destroy(new Error(`no answer for ${IDLE_TIMEOUT_MS / 1000} s`)));
    req.on('error', (err) => reject(new HttpError(url.href, err)));
    const body = send.body?.();
    if (body === undefined || Buffer.isBuffer(body)) req.end(body);
    else body.on('error', (err) => req.destroy(err)).pipe(req);
  });
}

/** GETs `url`, following redirects; Authorization is sent only to the origin it was meant for. */
export function httpGet(url: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
  return httpRequest(url, { method: 'GET', headers });
}

/**
 * Sends a request; a GET or HEAD follows redirects (Authorization only to the origin it was
 * meant for), any other method hands a redirect back to the caller, as its body is sent.
 */
export async function httpRequest(url: string, send: HttpSend): Promise<HttpResponse> {
  let current = new URL(url);
  const origin = current.origin;
  const follows = send.method === 'GET' || send.method === 'HEAD';
  for (let hop = 0; ; hop++) {
    const headers = { ...send.headers };
    if (current.origin !== origin) delete headers.Authorization;
    const res = await once(current, { ...send, headers });
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (follows && status >= 300 && status < 400 && location !== undefined) {
      res.resume();
      if (hop >= MAX_REDIRECTS) throw new HttpError(url, new Error(`more than ${MAX_REDIRECTS} redirects`));
      current = new URL(location, current);
      continue;
    }
    res.setTimeout(IDLE_TIMEOUT_MS, () => res.destroy(new Error(`download stalled for ${IDLE_TIMEOUT_MS / 1000} s`)));
    return { status, headers: res.headers, body: res, url: current.href };
  }
}

/** Reads a whole (small) body; refuses more than `limit` bytes. */
export async function readBody(res: HttpResponse, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      res.body.destroy();
      throw new Error(`${res.url} answered with more than ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
