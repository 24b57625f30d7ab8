// A client that requests a page back to back while a command runs, for the make-before-break
// tests: each GET on a fresh connection (no keep-alive: every request is a new flow through
// the NAT), every answer kept in order, failures as `error: …`.

import http from 'node:http';
import { startStack, type Running } from './processes.js';
import type { Result, StackEnv } from './stack-cli.js';

/** One GET of http://127.0.0.1:PORT/PATH; the body, trimmed. */
export function getOnce(port: number, path = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () =>
        resolve(res.statusCode === 200 ? body.trim() : `error: status ${res.statusCode} ${body.trim()}`),
      );
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Runs `stack ARGS…` while requesting the page; five more requests after it ends. */
export async function underLoad(
  env: StackEnv,
  args: string[],
  port: number,
  path = '/',
): Promise<{ up: Result; answers: string[] }> {
  const answers: string[] = [];
  let done = false;
  const ask = async () => answers.push(await getOnce(port, path).catch((e: Error) => `error: ${e.message}`));
  const load = (async () => {
    while (!done) await ask();
    for (let i = 0; i < 5; i++) await ask();
  })();
  // Started without blocking the event loop, so the requests go on meanwhile.
  const running: Running = startStack(env, args);
  const up = await running.result;
  done = true;
  await load;
  return { up, answers };
}
