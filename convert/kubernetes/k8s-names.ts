// Names Kubernetes accepts. Object names and DNS names are RFC 1123/1035 labels (lowercase
// letters, digits and '-', at most 63); Compose names also allow '_', '.' and capitals, so
// some must change, and a changed DNS name is a name clients of the stack no longer find.

/** RFC 1035 label: what a Service's name must be (its DNS name). */
const DNS_1035 = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Label values and the name part of label keys. */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isDns1035Label(name: string): boolean {
  return DNS_1035.test(name);
}

/**
 * `name` as a DNS label: lowercase, other characters as '-', starting with a letter, at most
 * 63 characters (a 6-hex hash of the original keeps two long names apart).
 */
export function dnsLabel(name: string): string {
  if (isDns1035Label(name)) return name;
  let out = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(out)) out = `s-${out}`;
  if (out.length > 63) out = `${out.slice(0, 56).replace(/-+$/, '')}-${hex6(name)}`;
  return out.replace(/-+$/, '') || 's';
}

/** A short, stable digest of a string (FNV-1a), for names that had to be cut. */
function hex6(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0').slice(0, 6);
}

export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** `prefix/name` or `name`, as metadata.labels keys must be. */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  if (name === '' || !isLabelValue(name)) return false;
  return prefix === undefined || (prefix.length <= 253 && LABEL_PREFIX.test(prefix));
}

/** A ConfigMap or Secret data key: letters, digits, '-', '_' and '.'. */
export function isDataKey(key: string): boolean {
  return /^[-._a-zA-Z0-9]+$/.test(key) && key.length <= 253 && key !== '.' && key !== '..';
}
