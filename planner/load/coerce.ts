// Scalar coercions the Compose format allows: booleans written the YAML 1.1 way
// (yes/no/on/off, as compose-go accepts them in boolean fields), numbers written as
// strings, sizes such as `512m` or `1.5gb`, and the list-or-map form of labels, sysctls
// and build args. The schema has checked the shapes; these only convert.

type Env = Record<string, string | undefined>;

/** `true`, `yes`, `on`, `y` (any case) → true; their opposites → false; anything else → undefined. */
export function toBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return undefined;
  const s = v.toLowerCase();
  if (s === 'y' || s === 'yes' || s === 'true' || s === 'on') return true;
  if (s === 'n' || s === 'no' || s === 'false' || s === 'off') return false;
  return undefined;
}

export function toInt(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isInteger(n) ? n : undefined;
}

export function toNumber(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/**
 * Bytes of a Compose size, with binary multipliers as docker's RAMInBytes: `512m`, `1g`,
 * `1.5gb`, `64k`, `100` (bytes), -1 (unlimited, memswap_limit). Undefined if unreadable.
 */
export function parseSize(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= -1 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim().toLowerCase();
  if (s === '-1') return -1;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)b?$/.exec(s);
  if (!m) return undefined;
  return Math.floor(Number(m[1]) * SIZE_UNITS[m[2]!]!);
}

function scalar(v: unknown): string {
  return typeof v === 'string' ? v : String(v);
}

/**
 * A `KEY=VALUE` list or a map → a map of strings. A key without a value (`KEY` in a list,
 * `KEY:` with null in a map) takes `fallback(KEY)`, and is left out when that is undefined.
 */
export function dictOrList(
  v: unknown,
  fallback: (key: string) => string | undefined = () => '',
): Record<string, string> {
  const out: Record<string, string> = {};
  const set = (key: string, value: string | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  if (Array.isArray(v)) {
    for (const entry of v.map(scalar)) {
      const eq = entry.indexOf('=');
      if (eq < 0) set(entry, fallback(entry));
      else set(entry.slice(0, eq), entry.slice(eq + 1));
    }
  } else if (v !== null && typeof v === 'object') {
    for (const [key, value] of Object.entries(v))
      set(key, value === null || value === undefined ? fallback(key) : scalar(value));
  }
  return out;
}

/** `environment`: a key without a value is taken from the variables, and dropped when unset there. */
export function environment(v: unknown, env: Env): Record<string, string> {
  return dictOrList(v, (key) => env[key]);
}

/** A string or a list of strings → a list. */
export function stringList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.map(scalar) : [];
}

/**
 * File modes: a number is taken as it is (the YAML stage already read `0440` as octal, as
 * compose does, so `mode: 511` is 0o777); a string "0440" or "440" is octal text.
 */
export function parseMode(v: unknown): number | undefined {
  if (typeof v === 'string' && /^0?[0-7]{3,4}$/.test(v)) return parseInt(v, 8);
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0o7777) return v;
  return undefined;
}

/** COMPOSE_COMPATIBILITY of the project's environment (`--compatibility` sets it), read as Go's ParseBool, as compose. */
export function compatibility(env: Record<string, string | undefined>): boolean {
  return ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(env.COMPOSE_COMPATIBILITY ?? '');
}
