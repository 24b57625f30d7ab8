// What `stack images` does (loaded only when it runs; see images.ts): one row per container
// (running or not), from its record, with compose's columns and json field names (ID,
// ContainerName, Repository, Tag, Size). Size is the unpacked layers', as docker counts it.

import fs from 'node:fs/promises';
import path from 'node:path';
import { shownName } from '../../model/names.js';
import { paths } from '../../store/paths.js';
import { readState } from '../../store/state-store.js';
import { EXIT } from '../errors.js';
import { projectOf, type GlobalOptions } from '../stack-file.js';
import { renderTable } from '../table.js';
import { UsageError } from '../usage-error.js';

export interface ImagesOptions {
  format: string;
  quiet?: boolean;
}

export interface ContainerImage {
  ID: string;
  ContainerName: string;
  Repository: string;
  Tag: string;
  Size: number;
}

export async function images(globals: GlobalOptions, services: string[], opts: ImagesOptions): Promise<number> {
  if (opts.format !== 'table' && opts.format !== 'json')
    throw new UsageError(`--format ${opts.format}: use table or json`);
  const project = projectOf(globals);
  const records = (await readState.containers(project)).filter(
    (r) => services.length === 0 || services.includes(r.spec.service),
  );
  const unknown = services.filter((s) => !records.some((r) => r.spec.service === s));
  if (unknown.length > 0)
    throw new Error(unknown.map((s) => `service ${s} has no container in stack ${project}`).join('\n'));
  const sizes = new Map<string, Promise<number>>();
  const rows: ContainerImage[] = [];
  for (const r of records.sort((a, b) => shownName(a.spec).localeCompare(shownName(b.spec)))) {
    const { repository, tag } = splitRef(r.spec.image.ref);
    if (!sizes.has(r.spec.image.id)) sizes.set(r.spec.image.id, imageSize(r.spec.image.layers));
    rows.push({
      ID: r.spec.image.id,
      ContainerName: shownName(r.spec),
      Repository: repository,
      Tag: tag,
      Size: await sizes.get(r.spec.image.id)!,
    });
  }
  if (opts.quiet) process.stdout.write([...new Set(rows.map((r) => `${shortId(r.ID)}\n`))].join(''));
  else if (opts.format === 'json') process.stdout.write(JSON.stringify(rows) + '\n');
  else
    process.stdout.write(
      renderTable([
        ['CONTAINER', 'REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE'],
        ...rows.map((r) => [r.ContainerName, r.Repository, r.Tag, shortId(r.ID), humanSize(r.Size)]),
      ]),
    );
  return EXIT.ok;
}

const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

/** `docker.io/library/busybox:latest` → busybox, latest: the short names docker shows. */
export function splitRef(ref: string): { repository: string; tag: string } {
  const at = ref.indexOf('@');
  const named = at < 0 ? ref : ref.slice(0, at);
  const colon = named.lastIndexOf(':');
  const hasTag = colon > named.lastIndexOf('/');
  const repo = hasTag ? named.slice(0, colon) : named;
  const tag = hasTag ? named.slice(colon + 1) : '<none>';
  return { repository: repo.replace(/^docker\.io\/(library\/)?/, ''), tag };
}

/** docker's HumanSize: three significant digits, decimal units (`4.26MB`). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${Number(n.toPrecision(3))}${units[i]}`;
}

async function imageSize(layers: string[]): Promise<number> {
  let total = 0;
  for (const layer of layers) total += await treeSize(paths.layerDir(layer));
  return total;
}

/** Bytes of the regular files and links under `dir` (what is missing counts 0). */
async function treeSize(dir: string): Promise<number> {
  let total = 0;
  const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await treeSize(p);
    else total += (await fs.lstat(p).catch(() => ({ size: 0 }))).size;
  }
  return total;
}
