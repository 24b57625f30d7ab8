// The stacks builds make for themselves under a STACK_ROOT: each build's own while it runs
// (`stkbuild-<id>`, executor/build-step-runner.ts) and the networks builds keep for the next
// one (`stkbnet-<root>-<n>`, executor/kept-build-network.ts). They are stack's machinery, not
// a user's stacks: `stack ls` does not list them (docker compose lists no BuildKit
// internals either) and `stack boot` leaves them to the next build.

export const BUILD_PROJECT_PREFIX = 'stkbuild-';
export const KEPT_NETWORK_PREFIX = 'stkbnet-';

/** A stack a build made for itself, not one of the user's. */
export function isBuildProject(project: string): boolean {
  return project.startsWith(BUILD_PROJECT_PREFIX) || project.startsWith(KEPT_NETWORK_PREFIX);
}
