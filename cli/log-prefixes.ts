// The `service | ` prefixes of multiplexed container output (`logs`, attached `up`):
// padded to one width and, on a terminal, coloured per service as docker compose does, so
// interleaved lines are told apart at a glance.

/** Compose's rotation: cyan, yellow, green, magenta, blue, then the bright ones. */
const COLORS = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

/** `names` (one per container, in display order) → prefix; colour only when `color`. */
export function logPrefixes(names: string[], color: boolean): string[] {
  const width = Math.max(0, ...names.map((n) => n.length));
  const services = [...new Set(names)];
  return names.map((n) => {
    const text = `${n.padEnd(width)} | `;
    return color ? `\x1b[${COLORS[services.indexOf(n) % COLORS.length]}m${text}\x1b[0m` : text;
  });
}

/** Decided with --ansi / COMPOSE_ANSI (terminal-mode.ts). */
export { wantsColor } from './terminal-mode.js';
