// What the Kubernetes converter takes and gives. It is pure: the loaded Stack, the contents
// of the files its configs and secrets name, and the digests of the images stack built come
// in (the CLI reads them); manifests and what could not carry over go out.

import type { SourcePos } from '../../model/types.js';

/** A Kubernetes object as plain data, in the order kubectl prints its fields. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** How published ports reach the cluster's outside. */
export type PublishAs = 'LoadBalancer' | 'NodePort';

export interface ConvertOptions {
  publishAs: PublishAs;
  /** `--registry`: where images stack builds were pushed (`stack push`); their references move there. */
  registry?: string;
  /** Image reference as the file names it → the manifest digest the image store has for it. */
  imageDigests: Record<string, string>;
  /** Absolute path of a config or secret `file:` → its bytes (read by the caller). */
  fileContents: Record<string, Uint8Array>;
  /** Size asked for each PersistentVolumeClaim (Compose volumes have none). */
  volumeSize: string;
}

/**
 * Something of the stack the manifests do not carry, or carry differently. `path` is where
 * it is written, below the service's key (or from the top for a top-level key), so the CLI
 * can point at the line; `pos` is the service's own position when the path is not found.
 */
export interface ConvertWarning {
  pos: SourcePos;
  path: (string | number)[];
  message: string;
}

export interface Converted {
  objects: K8sObject[];
  warnings: ConvertWarning[];
  /** What makes the manifests wrong (two things of one Kubernetes name): the CLI refuses to write any. */
  errors: ConvertWarning[];
}
