// What develop.watch's sync hands the host (Host['containers']['sync'], executor/host.ts):
// host files to write into a running container and container paths to remove there.

/** One host file, folder or symlink and where it goes in the container (absolute). */
export interface SyncCopy {
  source: string;
  /**
   * The rule's path, which `source` is at or below: the source is resolved under it without
   * following a link on the way, since the folder may be one a container can change.
   */
  base: string;
  target: string;
}

export interface SyncRequest {
  copy: SyncCopy[];
  /** Container paths (absolute) to remove, folders with what they hold. */
  remove: string[];
}

/** The container's filesystem refused a sync: which path, and why. */
export class ContainerSyncError extends Error {
  constructor(
    container: string,
    readonly target: string,
    detail: string,
  ) {
    super(`container ${container}: cannot sync ${target}: ${detail}`);
    this.name = 'ContainerSyncError';
  }
}
