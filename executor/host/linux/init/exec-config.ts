// What the host tells the exec stage (dist/exec.cjs) about the process to start inside a
// running container. Travels as JSON in one environment variable, like the init config.

import type { ProcessRestrictions } from './restrictions.js';

export const EXEC_ENV = 'STACK_EXEC';
/** The exec stage reports an error on this fd (close-on-exec: EOF means execve happened). */
export const EXEC_STATUS_FD = 3;

export interface ExecConfig {
  /** Container name, for messages only. */
  container: string;
  koffiNative: string;
  /** Host pid of the container's PID 1 and its start time (pid reuse check). */
  pid: number;
  startTime: number;
  /** `cgroup.procs` files of the container's groups. */
  cgroupProcs: string[];
  argv: string[];
  /** `KEY=value`: the container's environment with the caller's additions over it. */
  env: string[];
  hostname: string;
  /** As ContainerSpec.user; '' = root. */
  user: string;
  /** As ContainerSpec.groupAdd. */
  groupAdd?: string[];
  cwd: string;
  /** fd 0 is a terminal to make the controlling one. */
  tty: boolean;
  restrictions: Omit<ProcessRestrictions, 'user'>;
}
