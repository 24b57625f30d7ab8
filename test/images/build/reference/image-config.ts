// The part of an image config two builders must agree on, in one normal form: the fields
// `docker inspect` shows under Config that a Dockerfile sets. Empty lists and maps count as
// absent (builders write `null`, `[]` or nothing for "not set"); map-like fields become
// sorted key lists or sorted objects so JSON order does not matter.

export const CONFIG_FIELDS = [
  'Env',
  'Cmd',
  'Entrypoint',
  'WorkingDir',
  'User',
  'ExposedPorts',
  'Labels',
  'Healthcheck',
  'StopSignal',
  'Volumes',
  'Shell',
  'OnBuild',
] as const;

export type ConfigField = (typeof CONFIG_FIELDS)[number];
export type ComparableConfig = Partial<Record<ConfigField, unknown>>;

const isEmpty = (v: unknown) =>
  v === undefined ||
  v === null ||
  v === '' ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);

const sortedObject = (o: Record<string, unknown>) =>
  Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );

/** `raw`: the image config blob, parsed (its `config` holds the runtime settings). */
export function comparableConfig(raw: { config?: Record<string, unknown> | null }): ComparableConfig {
  const c = raw.config ?? {};
  const out: ComparableConfig = {};
  for (const field of CONFIG_FIELDS) {
    let v = c[field];
    if (isEmpty(v)) continue;
    if (field === 'ExposedPorts' || field === 'Volumes') v = Object.keys(v as object).sort();
    else if (field === 'Labels') v = sortedObject(v as Record<string, unknown>);
    else if (field === 'Healthcheck') v = sortedObject(v as Record<string, unknown>);
    out[field] = v;
  }
  return out;
}
