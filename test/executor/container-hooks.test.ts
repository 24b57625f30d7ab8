// The executor calls the supervisor's container hooks at the steps they follow (executor/
// container-hooks.ts), in the sequence of host calls: the events, health checks and DNS
// reloads they stand for happen there and nowhere else.

import { describe, expect, it } from 'vitest';
import { applyOperation } from '../../executor/apply-operation.js';
import type { ContainerHooks } from '../../executor/container-hooks.js';
import { FakeHost } from '../../executor/fake-host.js';
import { plainSpec } from '../support/plain-spec.js';
import type { ContainerSpec } from '../../model/plan.js';

const spec = plainSpec('p', 'web');

/** Hooks that note each call among the host's own. */
function noting(host: FakeHost): ContainerHooks {
  const note = (hook: string) => async (_a: unknown, name?: string) =>
    void host.calls.push(`hook ${hook} ${name ?? (_a as ContainerSpec).name}`);
  return {
    created: note('created'),
    releasing: note('releasing'),
    released: note('released'),
    draining: note('draining'),
    stopping: note('stopping'),
    stopped: note('stopped'),
    cleanedUp: note('cleanedUp'),
  };
}

describe('container hooks', () => {
  it('a first start: created once prepared, releasing and released around the release', async () => {
    const host = new FakeHost();
    await applyOperation({ kind: 'container.start', id: 'start', cause: 'c', after: [], container: spec }, host, {
      hooks: noting(host),
    });
    expect(host.calls).toEqual([
      'state.saveContainer p-web-1 creating',
      'containers.prepare p-web-1',
      'hook created p-web-1',
      'containers.spawn p-web-1',
      'state.saveContainer p-web-1 starting',
      'hook releasing p-web-1',
      'containers.release p-web-1',
      'hook released p-web-1',
      'state.updateContainer p-web-1 running',
    ]);
  });

  it('a resume is not announced as created', async () => {
    const host = new FakeHost();
    await host.state.saveContainer('p', { spec, status: 'exited', stopped: true });
    host.calls.length = 0;
    await applyOperation(
      { kind: 'container.resume', id: 'resume', cause: 'c', after: [], project: 'p', name: spec.name },
      host,
      { hooks: noting(host) },
    );
    expect(host.calls.filter((c) => c.startsWith('hook'))).toEqual(['hook releasing p-web-1', 'hook released p-web-1']);
    expect((await host.state.loadContainer('p', spec.name))?.stopped).toBeUndefined();
  });

  it('a remove: the record marked stopped before the stopping hook; draining before the drain, cleanedUp before the record goes', async () => {
    const host = new FakeHost();
    await host.state.saveContainer('p', { spec, status: 'running', pid: 1, startTime: 1 });
    host.calls.length = 0;
    await applyOperation(
      {
        kind: 'container.remove',
        id: 'remove',
        cause: 'c',
        after: [],
        project: 'p',
        name: spec.name,
        stopSignal: 'SIGTERM',
        stopGraceSeconds: 3,
        hostVeths: ['stkvweb'],
        drainMs: 100,
      },
      host,
      { hooks: noting(host) },
    );
    expect(host.calls).toEqual([
      'hook draining p-web-1',
      'containers.drain p-web-1 100',
      'state.updateContainer p-web-1 running',
      'hook stopping p-web-1',
      'containers.stop p-web-1 SIGTERM 3',
      'hook stopped p-web-1',
      'networks.detach stkvweb',
      'containers.cleanup p-web-1',
      'hook cleanedUp p-web-1',
      'state.removeContainer p-web-1',
    ]);
  });
});
