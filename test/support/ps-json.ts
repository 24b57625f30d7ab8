// `stack ps --format json` prints one object per line (JSON Lines), as docker compose does
// since 2.21: the rows, in order.

export function psJson<T = Record<string, unknown>>(stdout: string): T[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}
