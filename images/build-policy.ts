// Which services' images `up` and `stack build` build, by compose's rule: a service with
// `build:` is built when its image is not in the store, always with `up --build`,
// `stack build` or `pull_policy: build`, and never with `--no-build` (then a missing image
// is an error naming the service). A service whose build takes another's image as a
// context (`additional_contexts: {x: service:NAME}`) waits for NAME's build, and needs it
// built when NAME's image is missing; depends_on does not order builds. An image that two
// services share is built once. Pure: the caller says which references are stored.

import { normalizeImageRef } from '../model/image-ref.js';
import type { Service } from '../model/types.js';
import { ImageMissingError } from './pull-policy.js';

export type BuildMode =
  /** `up`: what is missing (and `pull_policy: build`). */
  | 'missing'
  /** `up --build`, `stack build`: every build. */
  | 'always'
  /** `up --no-build`: none; a missing image is an error. */
  | 'never';

export interface BuildJob {
  /** The normalised reference of the image (the service's `image:`, else `<project>-<service>`). */
  ref: string;
  /** The service whose build section is built (the first by name of those sharing the image). */
  service: Service;
  /** Every service that runs this image. */
  services: string[];
  /** Refs of the jobs whose images this build takes as a context: it starts after them. */
  after: string[];
}

/** The normalised reference of a service's image; undefined for a bad one (reconcile reports it). */
export const serviceImageRef = (s: Service): string | undefined => {
  try {
    return normalizeImageRef(s.image);
  } catch {
    return undefined; // reconcile reports a bad reference with the rest of the file's problems
  }
};

/** The services whose images this build takes as contexts (`service:NAME`). */
export function contextServices(s: Service): string[] {
  return Object.values(s.build?.additionalContexts ?? {})
    .filter((c) => c.startsWith('service:'))
    .map((c) => c.slice('service:'.length));
}

/**
 * The builds to run for the images of `wanted` (service names), in no particular order:
 * each job's `after` says what it waits for. Throws ImageMissingError for `never` naming
 * every wanted service whose image is missing and would have to be built.
 */
export function decideBuilds(
  services: Service[],
  wanted: readonly string[],
  mode: BuildMode,
  isStored: (ref: string) => boolean,
): BuildJob[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const jobs = new Map<string, BuildJob>();
  const problems: string[] = [];
  const visit = (name: string): string | undefined => {
    const s = byName.get(name);
    const ref = s?.build && serviceImageRef(s);
    if (!s?.build || !ref) return undefined;
    const job = jobs.get(ref);
    if (job) {
      if (!job.services.includes(name)) job.services.push(name);
      return ref;
    }
    const stored = isStored(ref);
    if (mode === 'never') {
      if (!stored)
        problems.push(
          `service ${name}: image ${ref} is not in the local store and --no-build was given; run \`stack build ${name}\` first`,
        );
      return undefined;
    }
    const build = mode === 'always' || s.pullPolicy === 'build' || !stored;
    if (!build) return undefined;
    const entry: BuildJob = { ref, service: s, services: [name], after: [] };
    jobs.set(ref, entry);
    // A context image is needed: built when missing, or with the rest when every build is asked.
    for (const other of contextServices(s)) {
      const dep = visit(other);
      if (dep && dep !== ref && !entry.after.includes(dep)) entry.after.push(dep);
    }
    return ref;
  };
  for (const name of [...wanted].sort()) visit(name);
  if (problems.length > 0) throw new ImageMissingError(problems);
  // Services sharing a built image that were not wanted still run it: name them all.
  for (const s of services) {
    const ref = serviceImageRef(s);
    const job = ref === undefined ? undefined : jobs.get(ref);
    if (job && !job.services.includes(s.name)) job.services.push(s.name);
  }
  return [...jobs.values()].sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
}
