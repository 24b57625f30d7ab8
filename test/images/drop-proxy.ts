// An HTTP proxy on 127.0.0.1 in front of the test registry that can cut one blob download
// short (headers and part of the body, then the connection is destroyed), to test resuming.
// It records the Range header of every blob request.

import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DropProxy {
  host: string;
  /** Cut the next download of `digest` after `bytes` bytes of body. */
  dropNext(digest: string, bytes: number): void;
  /** Range headers seen per blob request, in order ('' for none). */
  ranges: Map<string, string[]>;
  stop(): Promise<void>;
}

export async function startDropProxy(upstream: string): Promise<DropProxy> {
  const [upHost, upPort] = upstream.split(':');
  const drops = new Map<string, number>();
  const ranges = new Map<string, string[]>();
  const server = http.createServer((req, res) => {
    const blob = /\/blobs\/(sha256:[0-9a-f]{64})$/.exec(req.url ?? '')?.[1];
    if (blob) ranges.set(blob, [...(ranges.get(blob) ?? []), String(req.headers.range ?? '')]);
    const cut = blob !== undefined ? drops.get(blob) : undefined;
    if (cut !== undefined) drops.delete(blob!);
    const up = http.request(
      { host: upHost, port: Number(upPort), path: req.url, method: req.method, headers: req.headers },
      (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        if (cut === undefined) {
          ur.pipe(res);
          return;
        }
        let sent = 0;
        ur.on('data', (chunk: Buffer) => {
          if (sent >= cut) return;
          const part = chunk.subarray(0, cut - sent);
          sent += part.length;
          res.write(part);
          if (sent >= cut) {
            ur.destroy();
            setTimeout(() => res.socket?.destroy(), 50); // let the bytes leave first
          }
        });
      },
    );
    up.on('error', () => res.socket?.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    dropNext: (digest, bytes) => drops.set(digest, bytes),
    ranges,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
