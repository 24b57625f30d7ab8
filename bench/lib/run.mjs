// Running commands from the bench: timed, with their output kept for error messages.

import { spawnSync } from 'node:child_process';

/** Runs a command to completion; throws with its stderr on a non-zero exit. Returns wall ms. */
export function timed(cmd, args, opts = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    timeout: opts.timeoutMs ?? 300_000,
    ...opts,
  });
  const ms = performance.now() - t0;
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0 && !opts.allowFailure) {
    throw new Error(
      `${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join(' / ')}`,
    );
  }
  return { ms, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

export function quiet(cmd, args, opts = {}) {
  return timed(cmd, args, { ...opts, allowFailure: true });
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls http://127.0.0.1:PORT/ until it answers 2xx; resolves to the time it took, ms. */
export async function waitForHttp(port, deadlineMs = 30_000) {
  const t0 = performance.now();
  while (performance.now() - t0 < deadlineMs) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(500) });
      if (res.ok) return performance.now() - t0;
    } catch {
      // not yet
    }
    await sleep(2);
  }
  throw new Error(`http://127.0.0.1:${port}/ did not answer within ${deadlineMs} ms`);
}
