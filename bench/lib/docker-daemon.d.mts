// Types of docker-daemon.mjs for the coexistence tests (test/integration/coexist-*.test.ts).

import type { ChildProcess } from 'node:child_process';

export interface Dockerd {
  pid: number;
  /** The environment a docker client needs to talk to this daemon (DOCKER_HOST). */
  env: NodeJS.ProcessEnv;
  dir: string;
  child: ChildProcess;
}

export function startDockerd(root: string, opts?: { wrap?: string[] }): Promise<Dockerd>;
export function stopDockerd(d: Pick<Dockerd, 'pid' | 'dir' | 'child'>): Promise<void>;
export function dockerCli(): string;
