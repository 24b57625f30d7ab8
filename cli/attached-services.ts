// Whose output an attached `up` shows: the services it was given, or without any, every
// service but those with `attach: false`, as docker compose does (their output is still
// kept: `stack logs` shows it, as `docker compose logs` does).

import type { Stack } from '../model/types.js';

export function attachedByUp(stack: Stack, named: string[]): (row: { service: string }) => boolean {
  if (named.length > 0) return (row) => named.includes(row.service);
  const detached = new Set(stack.services.filter((s) => s.attach === false).map((s) => s.name));
  return (row) => !detached.has(row.service);
}
