// The one command line `stack run` takes without commander: `run --rm --image REF
// [--network none] [--] COMMAND…`, a one-shot container of a bare image (issue 16: its start
// is the whole command, and commander with the `run` registration is ~8 ms of it). Exactly
// this form, each option once, in any order; anything else (another option, `--image=REF`,
// a global option before `run`, a value that looks like an option) is left to the full
// parser, which gives it its meaning or its usage error. What this returns is what commander
// hands the `run` action for the same words (test/cli/one-shot-args.test.ts compares them).

export interface OneShotRun {
  image: string;
  network?: string;
  /** The command and its arguments: commander's `service` argument, then `command...`. */
  command: [string, ...string[]];
}

export function parseOneShotRun(args: readonly string[]): OneShotRun | undefined {
  if (args[0] !== 'run') return undefined;
  let rm = false;
  let image: string | undefined;
  let network: string | undefined;
  /** An option's value: present and not itself an option (commander's reading of those differs). */
  const value = (i: number) => {
    const v = args[i];
    return v !== undefined && !v.startsWith('-') ? v : undefined;
  };
  let i = 1;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (a === '--rm' && !rm) rm = true;
    else if (a === '--image' && image === undefined && value(i + 1) !== undefined) image = value(++i);
    else if (a === '--network' && network === undefined && value(i + 1) === 'none') network = value(++i);
    else if (a.startsWith('-')) return undefined;
    else break;
  }
  const [first, ...rest] = args.slice(i);
  if (!rm || image === undefined || first === undefined) return undefined;
  return { image, ...(network !== undefined ? { network } : {}), command: [first, ...rest] };
}
