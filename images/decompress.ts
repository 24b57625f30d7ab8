// Layer blobs come plain, gzip- or zstd-compressed; the magic bytes say which (media types
// lie often enough that docker sniffs too). Node 20's zlib has no zstd, so zstd goes through
// fzstd, a pure-JS streaming decoder: no native addon, no prebuilt binary to fetch.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { pipeline, Transform, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import { Decompress } from 'fzstd';

export type Compression = 'gzip' | 'zstd' | 'none';

export async function sniffCompression(file: string): Promise<Compression> {
  const head = Buffer.alloc(4);
  const fh = await fsp.open(file, 'r');
  try {
    await fh.read(head, 0, 4, 0);
  } finally {
    await fh.close();
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/** A Transform that decodes a zstd stream chunk by chunk; a truncated stream is an error. */
export function createZstdDecompress(): Transform {
  let decoder: Decompress;
  let ended = false;
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      try {
        decoder.push(chunk, false);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    flush(done) {
      try {
        decoder.push(new Uint8Array(0), true);
        done(ended ? undefined : new Error('unexpected end of zstd data'));
      } catch (err) {
        done(err as Error);
      }
    },
  });
  // fzstd may reuse its output buffer: copy before handing the chunk on.
  decoder = new Decompress((data, final) => {
    if (data.length > 0) t.push(Buffer.from(data));
    if (final) ended = true;
  });
  return t;
}

/** The uncompressed content of `file`; errors (corrupt or truncated data) surface while reading. */
export function openDecompressed(file: string, compression: Compression): Readable {
  const raw = fs.createReadStream(file);
  if (compression === 'none') return raw;
  const decoder = compression === 'gzip' ? zlib.createGunzip() : createZstdDecompress();
  // Callback pipeline: on error every stream is destroyed with it, so iteration throws.
  return pipeline(raw, decoder, () => undefined);
}
