// Where the reference builder (podman 4.3.1, buildah 1.28) does not do what docker does, and
// what it does instead. At these places a fixture's expectation (docker's meaning) is not
// checked on the reference image, and stack's image is checked against the expectation
// instead of against the reference. Each entry names one path or config field of one fixture.

export interface ReferenceQuirk {
  fixture: string;
  /** A path of the tree (`/app/sub`) or `config.<Field>`. */
  where: string;
  reason: string;
}

export const REFERENCE_QUIRKS: ReferenceQuirk[] = [
  {
    fixture: 'env-label',
    where: 'config.Env',
    reason: 'buildah moves a variable that ENV sets again (PATH) to the end of Env; docker keeps it in its place',
  },
  {
    fixture: 'shell-and-shell-forms',
    where: 'config.Entrypoint',
    reason: 'buildah wraps a shell-form ENTRYPOINT in /bin/sh -c whatever SHELL says; docker uses SHELL',
  },
  {
    fixture: 'shell-and-shell-forms',
    where: 'config.Cmd',
    reason: 'buildah wraps a shell-form CMD in /bin/sh -c whatever SHELL says; docker uses SHELL',
  },
  {
    fixture: 'workdir-user',
    where: '/app',
    reason:
      'buildah creates a WORKDIR folder (/app, /app/sub) only when a later RUN runs in it; docker creates every one',
  },
  {
    fixture: 'workdir-user',
    where: '/created-as-nobody',
    reason: 'buildah creates a WORKDIR folder only when a later RUN runs in it; docker creates every one',
  },
];

/** True when `where` (a path or config field) of `fixture` is one of the reference's quirks. */
export function isReferenceQuirk(fixture: string, where: string): boolean {
  return REFERENCE_QUIRKS.some((q) => q.fixture === fixture && (where === q.where || where.startsWith(`${q.where}/`)));
}
