// A Dockerfile as stack's builder reads it: stages of typed instructions. Values keep their
// `$VARIABLES`, quotes and escapes as written; the builder expands them with the ARG and ENV
// values in effect at each step, as docker does.

import type { Diagnostic } from '../../model/diagnostics.js';
import type { Heredoc } from './dockerfile-lines.js';
import type { SourcePos } from './dockerfile-instructions.js';

/** `RUN ["a", "b"]` (exec) or `RUN a b` (shell, run by the stage's SHELL). */
export type CommandForm = { exec: string[] } | { shell: string };

/** COPY and ADD flags the builder carries over as they are. */
export interface CopyOptions {
  chown?: string;
  chmod?: string;
  link: boolean;
  exclude: string[];
  checksum?: string;
  keepGitDir: boolean;
}

export interface RunMount {
  /** bind (default), cache, tmpfs, secret or ssh. */
  type: string;
  /** The mount's other options as written (`target`, `id`, `from`, `source`, `sharing`, `mode`, `uid`, `gid`, `ro`, …). */
  options: Record<string, string>;
}

export type Instruction = SourcePos &
  (
    | { kind: 'FROM'; image: string; stageName?: string; platform?: string }
    | { kind: 'ARG'; args: { name: string; default?: string }[] }
    | { kind: 'ENV' | 'LABEL'; pairs: { key: string; value: string }[] }
    | {
        kind: 'RUN';
        command: CommandForm;
        mounts: RunMount[];
        network?: 'default' | 'none' | 'host';
        heredocs: Heredoc[];
      }
    | ({ kind: 'COPY' | 'ADD'; sources: string[]; dest: string; from?: string; heredocs: Heredoc[] } & CopyOptions)
    | { kind: 'CMD' | 'ENTRYPOINT'; command: CommandForm }
    | { kind: 'WORKDIR'; path: string }
    | { kind: 'USER'; user: string }
    | { kind: 'EXPOSE'; ports: string[] }
    | { kind: 'VOLUME'; paths: string[] }
    | { kind: 'STOPSIGNAL'; signal: string }
    | { kind: 'SHELL'; shell: string[] }
    | { kind: 'HEALTHCHECK'; none: true }
    | {
        kind: 'HEALTHCHECK';
        none: false;
        command: CommandForm;
        interval?: string;
        timeout?: string;
        startPeriod?: string;
        startInterval?: string;
        retries?: string;
      }
    | { kind: 'ONBUILD'; trigger: Instruction; text: string }
    | { kind: 'MAINTAINER'; name: string }
  );

export interface Stage extends SourcePos {
  /** 0-based index: `COPY --from=0` names a stage by it. */
  index: number;
  name?: string;
  /** The FROM instruction's image: a registry image, `scratch`, or an earlier stage's name. */
  base: string;
  platform?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  file: string;
  escape: '\\' | '`';
  syntax?: string;
  /** ARGs before the first FROM: usable in FROM lines only, unless a stage declares them again. */
  globalArgs: { name: string; default?: string }[];
  stages: Stage[];
  diagnostics: Diagnostic[];
}
