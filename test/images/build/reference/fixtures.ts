// The Dockerfile fixtures under test/fixtures/dockerfiles/<name>/: each folder is a build
// context with its Dockerfile and a fixture.json saying how to build it (build args, target,
// secrets, the tag other fixtures use it by) and what the built image must show (files and
// config). The expectations are checked on the reference build, so the fixtures are proven
// to mean what they say before stack's build is compared with it.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../../support/stack-cli.js';
import type { ComparableImage } from './compare-images.js';
import type { ComparableConfig } from './image-config.js';
import type { TreeEntry } from './image-tree.js';

export const FIXTURES_DIR = path.join(repoRoot, 'test/fixtures/dockerfiles');

export interface FixtureSpec {
  description: string;
  /** The Dockerfile's name in the folder (default `Dockerfile`). */
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  target?: string;
  /** Secret id → its content (written to a file outside the context at build time). */
  secrets?: Record<string, string>;
  /** The name the image is tagged with, for fixtures that build on it (`needs`). */
  tag?: string;
  /** Fixtures whose images this one's Dockerfile names (built first). */
  needs?: string[];
  /**
   * The same build in the syntax the reference builder knows, when the Dockerfile uses some
   * it does not (podman 4.3 has no heredocs, no `COPY --link`, no `RUN --network`), or the
   * ignore file it must be given (it reads no `<Dockerfile>.dockerignore`).
   */
  reference?: { dockerfile?: string; ignorefile?: string; why: string };
  expect: {
    /** Path → what its entry must have; `content` is the file's text. */
    files?: Record<string, Partial<TreeEntry> & { content?: string }>;
    absent?: string[];
    /** Config fields that must be exactly these (others are not looked at). */
    config?: ComparableConfig;
  };
}

export interface Fixture {
  name: string;
  dir: string;
  spec: FixtureSpec;
}

export function loadFixtures(): Fixture[] {
  const names = fs
    .readdirSync(FIXTURES_DIR)
    .filter((n) => fs.existsSync(path.join(FIXTURES_DIR, n, 'fixture.json')))
    .sort();
  const all = names.map((name) => {
    const dir = path.join(FIXTURES_DIR, name);
    return { name, dir, spec: JSON.parse(fs.readFileSync(path.join(dir, 'fixture.json'), 'utf8')) as FixtureSpec };
  });
  // Those another needs come first.
  const byName = new Map(all.map((f) => [f.name, f]));
  const ordered: Fixture[] = [];
  const visit = (f: Fixture) => {
    if (ordered.includes(f)) return;
    for (const n of f.spec.needs ?? []) visit(byName.get(n) ?? fail(`${f.name} needs ${n}, which is no fixture`));
    ordered.push(f);
  };
  all.forEach(visit);
  return ordered;
}

function fail(message: string): never {
  throw new Error(message);
}

/** A hash of everything in the fixture's folder (names, modes, contents): a cache key's part. */
export function fixtureContentHash(f: Fixture): string {
  const h = createHash('sha256');
  const walk = (dir: string, rel: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      const st = fs.lstatSync(file);
      h.update(`${rel}/${name}\0${st.mode}\0`);
      if (st.isDirectory()) walk(file, `${rel}/${name}`);
      else if (st.isSymbolicLink()) h.update(fs.readlinkSync(file));
      else h.update(fs.readFileSync(file));
    }
  };
  walk(f.dir, '');
  return h.digest('hex');
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * What the image does not show of the fixture's expectations, one line each; `skip(where)`
 * leaves out paths and `config.<Field>`s (the reference builder's quirks).
 */
export function unmetExpectations(
  f: Fixture,
  img: ComparableImage,
  skip: (where: string) => boolean = () => false,
): string[] {
  const out: string[] = [];
  for (const [p, want] of Object.entries(f.spec.expect.files ?? {})) {
    if (skip(p)) continue;
    const got = img.tree.get(p);
    if (!got) {
      out.push(`${p}: missing`);
      continue;
    }
    const { content, ...fields } = want;
    if (content !== undefined) Object.assign(fields, { sha256: sha256(content), size: Buffer.byteLength(content) });
    for (const [k, v] of Object.entries(fields))
      if (got[k as keyof TreeEntry] !== v)
        out.push(`${p}: ${k} is ${JSON.stringify(got[k as keyof TreeEntry])}, expected ${JSON.stringify(v)}`);
  }
  for (const p of f.spec.expect.absent ?? [])
    if (!skip(p) && img.tree.has(p)) out.push(`${p}: present, expected absent`);
  for (const [k, v] of Object.entries(f.spec.expect.config ?? {})) {
    if (skip(`config.${k}`)) continue;
    const got = img.config[k as keyof ComparableConfig];
    if (JSON.stringify(got) !== JSON.stringify(v))
      out.push(`config.${k} is ${JSON.stringify(got)}, expected ${JSON.stringify(v)}`);
  }
  return out;
}
