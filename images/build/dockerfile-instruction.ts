// Stage 3 of reading a Dockerfile: what one instruction's flags and arguments mean. Every
// problem is reported at its position and the reading goes on, so a user sees all the
// mistakes of a Dockerfile at once, as with stack files.

import { didYouMean } from '../../model/edit-distance.js';
import { execForm, type RawInstruction, type SourcePos } from './dockerfile-instructions.js';
import type { CommandForm, Instruction, RunMount } from './dockerfile-types.js';
import { keyValue, splitWords } from './dockerfile-words.js';

export type Report = (pos: SourcePos, message: string) => void;

/** Each instruction's flags; `true` marks a flag that may stand alone (`--link`). */
const FLAGS: Record<string, Record<string, boolean>> = {
  FROM: { platform: false },
  RUN: { mount: false, network: false, security: false },
  COPY: { from: false, chown: false, chmod: false, link: true, parents: true, exclude: false },
  ADD: { chown: false, chmod: false, link: true, checksum: false, 'keep-git-dir': true, exclude: false },
  HEALTHCHECK: { interval: false, timeout: false, 'start-period': false, 'start-interval': false, retries: false },
};
export const INSTRUCTIONS = [
  'FROM',
  'ARG',
  'ENV',
  'LABEL',
  'RUN',
  'COPY',
  'ADD',
  'CMD',
  'ENTRYPOINT',
  'WORKDIR',
  'USER',
  'EXPOSE',
  'VOLUME',
  'STOPSIGNAL',
  'SHELL',
  'HEALTHCHECK',
  'ONBUILD',
  'MAINTAINER',
];
export const NOT_IN_ONBUILD = new Set(['ONBUILD', 'FROM', 'MAINTAINER']);
const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

export function toInstruction(raw: RawInstruction, escape: string, report: Report): Instruction | undefined {
  const at = { line: raw.line, col: raw.col };
  if (!INSTRUCTIONS.includes(raw.keyword)) {
    report(at, `unknown instruction ${raw.keyword}${didYouMean(raw.keyword, INSTRUCTIONS)}`);
    return undefined;
  }
  if (!checkFlags(raw, report)) return undefined;
  const words = splitWords(raw.args, escape);
  const flag = (name: string): string | undefined => raw.flags.find((f) => f.name === name)?.value;
  const bool = (name: string): boolean => raw.flags.some((f) => f.name === name && f.value !== 'false');
  const need = (min: number, what: string): boolean => {
    if (words.length >= min) return true;
    report(raw.argsPos, `${raw.keyword} needs ${what}`);
    return false;
  };
  switch (raw.keyword) {
    case 'FROM': {
      if (!need(1, 'an image (FROM IMAGE [AS NAME])')) return undefined;
      const [image, as, name, ...extra] = words.map((w) => w.text);
      if (as !== undefined && (as.toUpperCase() !== 'AS' || name === undefined || extra.length > 0)) {
        report(raw.posAt(words[1].start), 'FROM takes an image and optionally AS NAME: FROM IMAGE [AS NAME]');
        return undefined;
      }
      if (name !== undefined && !STAGE_NAME.test(name.toLowerCase())) {
        report(
          raw.posAt(words[2].start),
          `invalid stage name ${name}: it must start with a letter and hold only letters, digits, -, _ and .`,
        );
      }
      return { kind: 'FROM', ...at, image, stageName: name?.toLowerCase(), platform: flag('platform') };
    }
    case 'ARG': {
      if (!need(1, 'a name (ARG NAME[=DEFAULT])')) return undefined;
      return {
        kind: 'ARG',
        ...at,
        args: words.map((w) => {
          const kv = keyValue(w.text);
          return kv ? { name: kv.key, default: kv.value } : { name: w.text };
        }),
      };
    }
    case 'ENV':
    case 'LABEL': {
      if (!need(1, 'KEY=VALUE pairs')) return undefined;
      const pairs = keyValuePairs(raw, words, report);
      return pairs && { kind: raw.keyword, ...at, pairs };
    }
    case 'RUN': {
      const command = commandForm(raw);
      if (!command) return void report(raw.argsPos, 'RUN needs a command');
      const network = flag('network');
      if (network !== undefined && !['default', 'none', 'host'].includes(network)) {
        report(at, `RUN --network=${network}: it must be default, none or host`);
      }
      const mounts = raw.flags.filter((f) => f.name === 'mount').map((f) => runMount(f.value ?? '', f, report));
      return {
        kind: 'RUN',
        ...at,
        command,
        mounts,
        network: network as 'default' | 'none' | 'host' | undefined,
        heredocs: raw.heredocs,
      };
    }
    case 'COPY':
    case 'ADD': {
      const list = raw.json ?? words.map((w) => w.text);
      if (list.length < 2 && !(list.length === 1 && raw.heredocs.length > 0)) {
        report(raw.argsPos, `${raw.keyword} needs a source and a destination: ${raw.keyword} SRC... DEST`);
        return undefined;
      }
      return {
        kind: raw.keyword,
        ...at,
        sources: list.slice(0, -1),
        dest: list[list.length - 1],
        from: flag('from'),
        chown: flag('chown'),
        chmod: flag('chmod'),
        link: bool('link'),
        checksum: flag('checksum'),
        keepGitDir: bool('keep-git-dir'),
        heredocs: raw.heredocs,
        exclude: raw.flags.filter((f) => f.name === 'exclude').map((f) => f.value ?? ''),
      };
    }
    case 'CMD':
    case 'ENTRYPOINT': {
      const command = commandForm(raw);
      return command
        ? { kind: raw.keyword, ...at, command }
        : void report(raw.argsPos, `${raw.keyword} needs a command`);
    }
    case 'WORKDIR':
      return need(1, 'a path') ? { kind: 'WORKDIR', ...at, path: raw.args } : undefined;
    case 'USER':
      return need(1, 'a user (USER NAME[:GROUP])') ? { kind: 'USER', ...at, user: words[0].text } : undefined;
    case 'EXPOSE':
      return need(1, 'a port (EXPOSE PORT[/PROTOCOL]...)')
        ? { kind: 'EXPOSE', ...at, ports: words.map((w) => w.text) }
        : undefined;
    case 'VOLUME':
      return need(1, 'a path') ? { kind: 'VOLUME', ...at, paths: raw.json ?? words.map((w) => w.text) } : undefined;
    case 'STOPSIGNAL':
      return need(1, 'a signal') ? { kind: 'STOPSIGNAL', ...at, signal: words[0].text } : undefined;
    case 'SHELL':
      if (raw.json && raw.json.length > 0) return { kind: 'SHELL', ...at, shell: raw.json };
      return void report(raw.argsPos, 'SHELL needs a JSON array: SHELL ["executable", "parameters"]');
    case 'HEALTHCHECK':
      return healthcheck(raw, at, flag, report);
    case 'MAINTAINER':
      return need(1, 'a name') ? { kind: 'MAINTAINER', ...at, name: raw.args } : undefined;
    default:
      return undefined; // ONBUILD: dockerfile-parse.ts reads the trigger as an instruction of its own.
  }
}

function checkFlags(raw: RawInstruction, report: Report): boolean {
  const known = FLAGS[raw.keyword] ?? {};
  let ok = true;
  for (const f of raw.flags) {
    if (!(f.name in known)) {
      const names = Object.keys(known).map((n) => `--${n}`);
      report(f, `unknown flag --${f.name} for ${raw.keyword}${names.length ? `; known: ${names.join(', ')}` : ''}`);
      ok = false;
    } else if (f.value === undefined && !known[f.name]) {
      report(f, `--${f.name} for ${raw.keyword} needs a value: --${f.name}=VALUE`);
      ok = false;
    }
  }
  return ok;
}

function commandForm(raw: RawInstruction): CommandForm | undefined {
  if (raw.json) return raw.json.length > 0 ? { exec: raw.json } : undefined;
  return raw.args ? { shell: raw.args } : undefined;
}

/** ENV/LABEL: `K=V K2=V2`, or the legacy `ENV K the rest` (one pair, LABEL does not allow it). */
function keyValuePairs(raw: RawInstruction, words: { text: string; start: number }[], report: Report) {
  const first = keyValue(words[0].text);
  if (!first && raw.keyword === 'ENV') {
    if (words.length < 2) return void report(raw.argsPos, `ENV ${words[0].text} needs a value: ENV KEY=VALUE`);
    return [{ key: words[0].text, value: raw.args.slice(words[1].start) }];
  }
  const pairs: { key: string; value: string }[] = [];
  for (const w of words) {
    const kv = keyValue(w.text);
    if (kv) pairs.push(kv);
    else report(raw.posAt(w.start), `${raw.keyword} ${w.text}: expected KEY=VALUE`);
  }
  return pairs.length === words.length ? pairs : undefined;
}

/** `--mount=type=cache,target=/root/.cache,sharing=locked` (type defaults to bind). */
function runMount(spec: string, pos: SourcePos, report: Report): RunMount {
  const options: Record<string, string> = {};
  for (const part of spec.split(',').filter(Boolean)) {
    const eq = part.indexOf('=');
    options[eq < 0 ? part : part.slice(0, eq)] = eq < 0 ? 'true' : part.slice(eq + 1);
  }
  const type = options.type ?? 'bind';
  delete options.type;
  if (!['bind', 'cache', 'tmpfs', 'secret', 'ssh'].includes(type)) {
    report(pos, `RUN --mount type=${type}: it must be bind, cache, tmpfs, secret or ssh`);
  } else if (!['secret', 'ssh'].includes(type) && !(options.target ?? options.dst ?? options.destination)) {
    report(pos, `RUN --mount type=${type} needs target=PATH`);
  }
  return { type, options };
}

function healthcheck(
  raw: RawInstruction,
  at: SourcePos,
  flag: (n: string) => string | undefined,
  report: Report,
): Instruction | undefined {
  const [kind, ...rest] = raw.args.split(/\s+/);
  if (kind?.toUpperCase() === 'NONE' && rest.length === 0) return { kind: 'HEALTHCHECK', ...at, none: true };
  if (kind?.toUpperCase() !== 'CMD') return void report(raw.argsPos, 'HEALTHCHECK needs CMD COMMAND or NONE');
  const text = raw.args.slice(kind.length).trimStart();
  const json = text.startsWith('[') ? (raw.json ?? execForm(text)) : undefined;
  const command: CommandForm | undefined = json ? { exec: json } : text ? { shell: text } : undefined;
  if (!command) return void report(raw.argsPos, 'HEALTHCHECK CMD needs a command');
  return {
    kind: 'HEALTHCHECK',
    ...at,
    none: false,
    command,
    interval: flag('interval'),
    timeout: flag('timeout'),
    startPeriod: flag('start-period'),
    startInterval: flag('start-interval'),
    retries: flag('retries'),
  };
}
