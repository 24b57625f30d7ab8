// compose's boolean COMPOSE_* variables (COMPOSE_REMOVE_ORPHANS, COMPOSE_IGNORE_ORPHANS):
// read as Go's strconv.ParseBool reads them, which is what compose does; anything else,
// or unset, is false.

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

export function composeBool(variable: string): boolean {
  return TRUE.has(process.env[variable] ?? '');
}
