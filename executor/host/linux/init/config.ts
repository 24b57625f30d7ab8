// What the supervisor tells the init stage, and what the init stage tells back. The config
// travels as JSON in the one environment variable STACK_INIT (the init stage runs with a
// clean environment: inherited variables such as NODE_EXTRA_CA_CERTS cost ~35 ms of start).
// Both sides import these types; nothing here runs code.

export const INIT_ENV = 'STACK_INIT';
/** The init stage reads the "go" byte from this fd (supervisor writes). */
export const GO_FD = 3;
/** The init stage reports on this fd (supervisor reads); close-on-exec, so EOF = exec done. */
export const STATUS_FD = 4;

export interface InitConfig {
  /** Container name, for messages only. */
  container: string;
  /** Absolute path of koffi's native `.node` file (loaded directly: `require('koffi')` costs ~6 ms). */
  koffiNative: string;
  /** `cgroup.procs` files to join before anything else, so the container is charged from here on. */
  cgroupProcs: string[];
  /** Layer directories, top first (overlay's lowerdir order). */
  lowerdirs: string[];
  upperdir: string;
  workdir: string;
  /** Where the overlay is mounted, inside the container's mount namespace only. */
  rootfs: string;
  hostname: string;
  /** Host files bind-mounted onto /etc/<name> in the container. */
  etcFiles: { hosts: string; hostname: string; 'resolv.conf': string };
  argv: string[];
  env: string[];
  cwd: string;
}

/** One line of JSON on the status fd. */
export type InitStatus =
  | { event: 'ready'; ms: number }
  | { event: 'error'; step: string; message: string; code?: string };
