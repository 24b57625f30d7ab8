// A container's environment as docker builds it: the image's `ENV` entries, then the file's
// `environment`, a later value replacing an earlier one of the same name. `up` and `exec`
// (which starts with the container's environment) both build it here.

export function mergeEnv(imageEnv: string[], fileEnv: Record<string, string>): string[] {
  const merged = new Map<string, string>();
  for (const entry of imageEnv) {
    const eq = entry.indexOf('=');
    if (eq > 0) merged.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  for (const [k, v] of Object.entries(fileEnv)) merged.set(k, v);
  return [...merged].map(([k, v]) => `${k}=${v}`);
}
