// A tar archive in memory from header/body items, for tests that make image layers.

import tar from 'tar-stream';

export type TarItem = Partial<tar.Header> & { name: string; body?: Buffer | string };

export async function packTar(items: TarItem[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const { body, ...h } of items) {
    await new Promise<void>((resolve, reject) =>
      pack.entry({ mtime: new Date(1_000_000_000_000), ...h }, body ?? '', (e) => (e ? reject(e) : resolve())),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}
