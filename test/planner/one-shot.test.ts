// A one-shot (restart "no") that exited 0 with the configuration it still has is done, not
// drift: neither `up` nor a `watch` edit of another service runs it again (it used to run
// every finished migration on each edit). A failed run, a changed configuration or
// --force-recreate still runs it.

import { describe, expect, it } from 'vitest';
import { reconcile } from '../../planner/plan/reconcile.js';
import { planToText } from '../../model/plan-text.js';
import type { Observed } from '../../model/observed.js';
import { applied, hello, load, observed } from './reconcile-fixtures.js';

/** The host after the first up, once the client (hello's one-shot) has exited with `code`. */
function clientExited(code: number, text = hello): Observed {
  const state = applied(reconcile(load(text), observed()), observed());
  return {
    ...state,
    containers: state.containers.map((c) =>
      c.service === 'client' ? { ...c, running: false, pid: undefined, exitCode: code } : c,
    ),
  };
}

const ids = (text: string, state: Observed, opts = {}) =>
  reconcile(load(text), state, opts).operations.map((o) => o.id);

describe('a one-shot that completed', () => {
  it('is not run again by up', () => {
    expect(planToText(reconcile(load(hello), clientExited(0)))).toBe('plan for hello: nothing to do\n');
  });

  it('is not run again when another service changes (a watch edit)', async () => {
    const edited = hello.replace('command: httpd -f -p 80 -h /www', 'command: httpd -f -p 81 -h /www');
    const plan = reconcile(load(edited), clientExited(0));
    expect(plan.operations.some((o) => o.id.includes('client'))).toBe(false);
    await expect(planToText(plan)).toMatchFileSnapshot('golden/one-shot-completed.txt');
  });

  it('runs again when its configuration changes, or with --force-recreate', () => {
    const edited = hello.replace('    depends_on: [web]\n', '    depends_on: [web]\n    environment: { MODE: fast }\n');
    expect(ids(edited, clientExited(0))).toContain('start:hello-client-1');
    expect(ids(hello, clientExited(0), { forceRecreate: true })).toContain('start:hello-client-1');
  });

  it('a failed one is drift and runs again', () => {
    expect(planToText(reconcile(load(hello), clientExited(1)))).toContain(
      'drift: container hello-client-1 is not running (exited with 1)',
    );
  });

  it('one that should keep running (restart: always) is drift when it exited 0', () => {
    const always = hello.replace('    depends_on: [web]\n', '    depends_on: [web]\n    restart: always\n');
    expect(ids(always, clientExited(0, always))).toContain('start:hello-client-1');
  });
});
