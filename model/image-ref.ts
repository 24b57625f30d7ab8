// Image references, normalised the way docker does it, so `busybox`, `library/busybox` and
// `docker.io/library/busybox:latest` name the same record in the image store. Pure: no fs.

const DEFAULT_DOMAIN = 'docker.io';
const DEFAULT_TAG = 'latest';

// From the distribution/reference grammar.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_LABEL = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const SHA256 = /^sha256:[0-9a-f]{64}$/;
const MAX_NAME = 255;

/**
 * References already normalised (an invalid one is not kept: it throws again). A stack names
 * one image in many services, and loading, pulling, building and planning each ask for
 * every service: 4000 parses of the same text for a 1000-service `plan`. Bounded, as a
 * supervisor lives for days.
 */
const normalizedRefs = new Map<string, string>();
const MAX_REMEMBERED = 4096;

/**
 * `busybox` → `docker.io/library/busybox:latest`, `foo/bar:1` → `docker.io/foo/bar:1`,
 * `localhost:5000/x` → `localhost:5000/x:latest`; `name@sha256:…` keeps its digest (and no
 * `:latest` is added). Throws an Error saying what is wrong for an invalid reference.
 */
export function normalizeImageRef(ref: string): string {
  const known = normalizedRefs.get(ref);
  if (known !== undefined) return known;
  const normalized = normalizeUncached(ref);
  if (normalizedRefs.size < MAX_REMEMBERED) normalizedRefs.set(ref, normalized);
  return normalized;
}

function normalizeUncached(ref: string): string {
  const bad = (why: string): Error => new Error(`invalid image reference ${JSON.stringify(ref)}: ${why}`);
  if (typeof ref !== 'string' || ref.trim() === '') throw bad('it is empty');
  if (ref !== ref.trim() || /\s/.test(ref)) throw bad('it contains whitespace');

  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (digest.startsWith('sha256:') && !SHA256.test(digest)) throw bad('a sha256 digest has 64 lowercase hex digits');
    if (!DIGEST.test(digest)) throw bad(`digest ${JSON.stringify(digest)} is not of the form algorithm:hex`);
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(`tag ${JSON.stringify(tag)} is not valid (letters, digits, _ . -, at most 128)`);
  }
  if (rest === '') throw bad('the name is missing');

  let domain = DEFAULT_DOMAIN;
  let repo = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('[')) {
      domain = first;
      repo = rest.slice(slash + 1);
      if (!DOMAIN.test(domain)) throw bad(`registry ${JSON.stringify(domain)} is not a valid host[:port]`);
    }
  }
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (repo === '') throw bad('the repository path is missing');
  for (const part of repo.split('/')) {
    if (part === '') throw bad('the name has an empty path component');
    if (part !== part.toLowerCase()) throw bad('repository names must be lowercase');
    if (!PATH_COMPONENT.test(part))
      throw bad(`path component ${JSON.stringify(part)} may only hold a-z 0-9 and single separators . _ __ -`);
  }
  if (domain === DEFAULT_DOMAIN && !repo.includes('/')) repo = `library/${repo}`;

  const name = `${domain}/${repo}`;
  if (name.length > MAX_NAME) throw bad(`the name is longer than ${MAX_NAME} characters`);
  if (tag === undefined && digest === undefined) tag = DEFAULT_TAG;
  return name + (tag !== undefined ? `:${tag}` : '') + (digest !== undefined ? `@${digest}` : '');
}
