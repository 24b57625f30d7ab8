// A small structural checker for the JSON stack reads back from its own files: each check
// returns what is wrong (with the path to it inside the document) or undefined. Enough to
// tell a record stack wrote from a truncated, emptied or hand-edited one before any code
// reads a field of it.

export type Check = (value: unknown, at: string) => string | undefined;

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v);
const where = (at: string) => (at ? `${at} ` : '');

export const str: Check = (v, at) =>
  typeof v === 'string' && v.length > 0 ? undefined : `${where(at)}is not a non-empty string (${kind(v)})`;
export const anyStr: Check = (v, at) =>
  typeof v === 'string' ? undefined : `${where(at)}is not a string (${kind(v)})`;
export const num: Check = (v, at) =>
  typeof v === 'number' && Number.isFinite(v) ? undefined : `${where(at)}is not a number (${kind(v)})`;
export const bool: Check = (v, at) =>
  typeof v === 'boolean' ? undefined : `${where(at)}is not true or false (${kind(v)})`;
export const anyObject: Check = (v, at) =>
  kind(v) === 'object' ? undefined : `${where(at)}is not an object (${kind(v)})`;

export function oneOf(...values: string[]): Check {
  return (v, at) =>
    typeof v === 'string' && values.includes(v)
      ? undefined
      : `${where(at)}is not one of ${values.join(', ')} (${JSON.stringify(v) ?? kind(v)})`;
}

export function listOf(item: Check): Check {
  return (v, at) => {
    if (!Array.isArray(v)) return `${where(at)}is not a list (${kind(v)})`;
    for (let i = 0; i < v.length; i++) {
      const problem = item(v[i], `${at}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  };
}

/** An object with these keys; keys ending in `?` may be absent. Other keys are allowed. */
export function shape(fields: Record<string, Check>): Check {
  return (v, at) => {
    if (kind(v) !== 'object') return `${where(at)}is not an object (${kind(v)})`;
    const o = v as Record<string, unknown>;
    for (const [key, check] of Object.entries(fields)) {
      const optional = key.endsWith('?');
      const name = optional ? key.slice(0, -1) : key;
      const path = at ? `${at}.${name}` : name;
      if (!(name in o) || o[name] === undefined) {
        if (optional) continue;
        return `${path} is missing`;
      }
      const problem = check(o[name], path);
      if (problem) return problem;
    }
    return undefined;
  };
}
