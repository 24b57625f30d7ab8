// What must follow the executor's steps on a container, named at the point where each
// happens: the supervisor announces them (`stack events`), starts and stops a container's
// health checks and restart policy, and keeps its DNS answers in step with the containers.
// The executor calls the hooks it is given; a plan executed without a supervisor (tests)
// passes none.

import type { ContainerSpec } from '../model/plan.js';

export interface ContainerHooks {
  /** A first start (not a resume) has its directories and cgroup: it is created. */
  created?(spec: ContainerSpec): Promise<void>;
  /** Before its command is released: the DNS server learns its name before the command asks. */
  releasing?(project: string, name: string): Promise<void>;
  /** Its command runs (a first start, a resume or the restart policy's restart). */
  released?(project: string, name: string): Promise<void>;
  /** Before a replaced container drains: the DNS answers switch to its replacement first. */
  draining?(project: string, name: string): Promise<void>;
  /**
   * Before a deliberate stop, once the record says so (`stopped`): its health checks end, a
   * restart under way finishes first (so the stop ends it), and DNS stops answering for it.
   */
  stopping?(project: string, name: string): Promise<void>;
  /** It was stopped. */
  stopped?(project: string, name: string): Promise<void>;
  /** Its cgroup and directories are gone (its record goes next). */
  cleanedUp?(project: string, name: string): Promise<void>;
}
