// How stack draws on the terminal, as compose's --ansi and --progress (or COMPOSE_ANSI and
// COMPOSE_PROGRESS) ask. The global flags are copied into those variables once the command
// line is read (global-flags.ts), so every printer asks here and nowhere else.

export type AnsiMode = 'never' | 'always' | 'auto';
export const ANSI_MODES: readonly AnsiMode[] = ['never', 'always', 'auto'];

/** compose's progress types; `tty` is stack's live list, `plain` one line per event. */
export type ProgressMode = 'auto' | 'tty' | 'plain' | 'json' | 'quiet';
export const PROGRESS_MODES: readonly ProgressMode[] = ['auto', 'tty', 'plain', 'json', 'quiet'];

const oneOf = <T extends string>(modes: readonly T[], value: string | undefined): T | undefined =>
  modes.find((m) => m === value);

export const ansiMode = (): AnsiMode => oneOf(ANSI_MODES, process.env.COMPOSE_ANSI) ?? 'auto';
export const progressMode = (): ProgressMode => oneOf(PROGRESS_MODES, process.env.COMPOSE_PROGRESS) ?? 'auto';

/**
 * Whether a terminal is there to draw on. A terminal that reports no width (a
 * pseudo-terminal nobody sized, as some CI runners and `script` give) gets plain lines:
 * listr2 truncates every line to the width, so it would draw nothing at all.
 */
function terminalDraws(out: NodeJS.WriteStream): boolean {
  if (out.isTTY !== true || process.env.TERM === 'dumb') return false;
  return (out.columns ?? 0) > 0 && (process.stdout.isTTY !== true || (process.stdout.columns ?? 0) > 0);
}

/** Whether progress on `out` is a live list (cursor movements) rather than one line per event. */
export function drawsLive(out: NodeJS.WritableStream): boolean {
  const mode = progressMode();
  if (mode === 'plain' || mode === 'json' || mode === 'quiet' || ansiMode() === 'never') return false;
  return mode === 'tty' || terminalDraws(out as NodeJS.WriteStream);
}

/** Colour unless --ansi never, or (auto) the output is not a terminal or NO_COLOR is set; never with --no-color. */
export function wantsColor(stream: NodeJS.WriteStream, noColorFlag: boolean | undefined): boolean {
  if (noColorFlag) return false;
  const ansi = ansiMode();
  if (ansi !== 'auto') return ansi === 'always';
  return !!stream.isTTY && process.env.NO_COLOR === undefined;
}
