// Where stack keeps things on the host. STACK_ROOT holds persistent data (images, volumes,
// state records, container upper dirs, logs); STACK_RUN holds sockets and locks. Tests and
// benchmarks point both at temporary folders so runs can live side by side.

import path from 'node:path';

type Env = Record<string, string | undefined>;

export function stackRoot(env: Env = process.env): string {
  return path.resolve(env.STACK_ROOT ?? '/var/lib/stack');
}

export function stackRun(env: Env = process.env): string {
  return path.resolve(env.STACK_RUN ?? '/run/stack');
}

export const paths = {
  imagesDir: () => path.join(stackRoot(), 'images'),
  /** Unpacked layer, keyed by the layer's digest hex (content-addressed, shared by all stacks). */
  layerDir: (digest: string) => path.join(stackRoot(), 'images', 'layers', digestHex(digest)),
  /** The diff_id a stored layer was verified against when it was unpacked (layer-store.ts). */
  layerDiffId: (digest: string) => path.join(stackRoot(), 'images', 'diff-ids', digestHex(digest)),
  /**
   * Content-addressed blobs (compressed layers, image configs, manifests) kept so an image can
   * be pushed or saved as it is: built images keep theirs (ImageInfo.manifest names the root).
   */
  blobFile: (digest: string) => path.join(stackRoot(), 'images', 'blobs', 'sha256', digestHex(digest)),
  /** Image records (`ImageInfo` JSON), one file per reference. */
  imageRefsDir: () => path.join(stackRoot(), 'images', 'refs'),
  stackDir: (project: string) => path.join(stackRoot(), 'stacks', project),
  stateDir: (project: string) => path.join(stackRoot(), 'stacks', project, 'state'),
  containerDir: (project: string, name: string) => path.join(stackRoot(), 'stacks', project, 'containers', name),
  logFile: (project: string, name: string) => path.join(stackRoot(), 'stacks', project, 'logs', `${name}.log`),
  supervisorLog: (project: string) => path.join(stackRoot(), 'stacks', project, 'supervisor.log'),
  runDir: (project: string) => path.join(stackRun(), project),
  /** Per container files that need no persistence: rendered secrets and configs. */
  containerRunDir: (project: string, name: string) => path.join(stackRun(), project, 'containers', name),
  /** Named and anonymous volumes: `<name>/_data` is what containers see, `<name>/volume.json` who made it. */
  volumesDir: () => path.join(stackRoot(), 'volumes'),
  socket: (project: string) => path.join(stackRun(), project, 'supervisor.sock'),
  /** What the stack's apply in progress takes (model/claims.ts); in the run dir, so `down` removes it. */
  claims: (project: string) => path.join(stackRun(), project, 'claims.json'),
  /** The host-wide allocation lock: one per STACK_RUN, shared by every stack (allocation.ts). */
  allocationLock: () => path.join(stackRun(), 'allocation.lock'),
};

function digestHex(digest: string): string {
  const hex = digest.startsWith('sha256:') ? digest.slice(7) : digest;
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`not a sha256 digest: ${digest}`);
  return hex;
}
