// The `-e` flags of `exec` and `run`, read as docker reads them. Its own module so that
// `run --image` does not load exec's stack-file handling with it.

/** `KEY=VALUE` as given; `KEY` alone takes our own value (and is left out when we have none), as docker does. */
export function envFlags(entries: string[], ours: NodeJS.ProcessEnv): string[] {
  return entries.flatMap((e) => {
    if (e.includes('=')) return e.indexOf('=') > 0 ? [e] : [];
    return ours[e] === undefined ? [] : [`${e}=${ours[e]}`];
  });
}
