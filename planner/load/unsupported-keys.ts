// Keys the Compose specification defines that stack does not implement, at every level of
// the file. The schema rejects them like any unknown key, but a user who copied a valid
// compose file deserves to hear "valid Compose, not supported by stack" (and what to do)
// rather than "unknown key" with a far-fetched did-you-mean, which reads as a typo. Which
// keys those are, and what to do instead, is the key table's (compose-keys.ts) `refused`;
// enumerated values stack lacks are listed here. Paths use `*` for any name (a service, a
// network) and `#` for any list position.

import { keyStatus } from './compose-keys.js';

const LOG_DRIVERS = 'stack keeps logs with json-file (the default), local or none';
const LOG_OPTIONS = "stack's log files hold the output only, with no attributes or buffering";

/**
 * Keys of free-form option maps (not in the specification's schema, so not in the key table)
 * that docker knows and stack does not implement.
 */
const OPTION_KEYS: [pattern: readonly string[], keys: Record<string, string>][] = [
  [
    ['services', '*', 'logging', 'options'],
    Object.fromEntries(
      ['labels', 'labels-regex', 'env', 'env-regex', 'tag', 'mode', 'max-buffer-size'].map((k) => [k, LOG_OPTIONS]),
    ),
  ],
];

/** Values of an enumerated key that are valid Compose and that stack does not implement. */
export const VALUES: [pattern: readonly string[], values: Record<string, string>][] = [
  [['services', '*', 'volumes', '#', 'type'], { npipe: 'it is for Windows', cluster: 'it is for a swarm' }],
  // `*`: every value the schema does not allow.
  [['networks', '*', 'ipam', 'driver'], { '*': 'stack allocates addresses itself, as the default driver does' }],
  [
    ['services', '*', 'logging', 'driver'],
    Object.fromEntries(
      ['syslog', 'journald', 'gelf', 'fluentd', 'awslogs', 'splunk', 'etwlogs', 'gcplogs', 'logentries', 'loki'].map(
        (d) => [d, LOG_DRIVERS],
      ),
    ),
  ],
];

function matches(pattern: readonly string[], path: readonly (string | number)[]): boolean {
  return (
    pattern.length === path.length &&
    pattern.every((p, i) => (p === '#' ? typeof path[i] === 'number' : p === '*' || p === path[i]))
  );
}

export function notSupportedMessage(what: string, instead: string): string {
  return `valid Compose, not supported by stack: ${what}: remove it${instead ? `; ${instead}` : ''}`;
}

/**
 * The message for `key` when it is a Compose key stack lacks in the mapping at `path`
 * (`where` names that mapping), else undefined.
 */
export function unsupportedKeyMessage(
  path: readonly (string | number)[],
  key: string,
  where: string,
): string | undefined {
  const status = keyStatus(path, key);
  if (status?.status === 'refused') return notSupportedMessage(`"${key}" ${where}`, status.note);
  const options = OPTION_KEYS.find(([pattern]) => matches(pattern, path))?.[1];
  return options && Object.hasOwn(options, key) ? notSupportedMessage(`"${key}" ${where}`, options[key]!) : undefined;
}

/** The message for an enumerated `value` at `path` that is valid Compose stack lacks, else undefined. */
export function unsupportedValueMessage(
  path: readonly (string | number)[],
  value: unknown,
  where: string,
): string | undefined {
  const table = VALUES.find(([pattern]) => matches(pattern, path))?.[1];
  const key = table && (Object.hasOwn(table, value as string) ? (value as string) : '*');
  if (typeof value !== 'string' || !table || !key || !Object.hasOwn(table, key)) return undefined;
  return notSupportedMessage(`${JSON.stringify(value)} for ${where}`, table[key]!);
}
