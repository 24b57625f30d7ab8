import { describe, expect, it } from 'vitest';
import { ImageMissingError, imagesToPull } from '../../images/pull-policy.js';
import { serviceDefaults } from '../../planner/load/service-defaults.js';
import type { PullPolicy, Service } from '../../model/types.js';

const pos = { file: 'stack.yaml', line: 1, col: 1 };
function svc(name: string, image: string, pullPolicy: PullPolicy, extra: Partial<Service> = {}): Service {
  return { ...serviceDefaults(name, image, pos), pullPolicy, ...extra };
}
const stored = new Set(['docker.io/library/busybox:latest']);
const NOW = Date.parse('2026-12-06T12:00:00Z');
const HOUR = 3_600_000;
/** Every stored image was stored two days ago. */
const storedAt = async (ref: string) =>
  stored.has(ref) ? { at: NOW - 48 * HOUR, platform: 'linux/amd64' } : undefined;

describe('imagesToPull', () => {
  it('pulls what is missing, once per reference and platform; always pulls even what is stored', async () => {
    const targets = await imagesToPull(
      [
        svc('a', 'busybox', 'missing'),
        svc('b', 'alpine:3', 'missing'),
        svc('c', 'docker.io/library/alpine:3', 'if_not_present'),
        svc('d', 'alpine:3', 'missing', { platform: 'linux/arm64' }),
        svc('e', 'busybox:latest', 'always'),
      ],
      storedAt,
      NOW,
    );
    expect(targets).toEqual([
      { ref: 'docker.io/library/alpine:3', platform: undefined, services: ['b', 'c'] },
      { ref: 'docker.io/library/alpine:3', platform: 'linux/arm64', services: ['d'] },
      { ref: 'docker.io/library/busybox:latest', platform: undefined, services: ['e'] },
    ]);
  });

  it('never pulls for never (stored is fine) or build; lists every never service whose image is missing', async () => {
    expect(await imagesToPull([svc('a', 'busybox', 'never'), svc('b', 'x/y', 'build')], storedAt)).toEqual([]);
    const err = await imagesToPull(
      [svc('a', 'nope:1', 'never'), svc('b', 'alpine', 'missing'), svc('c', 'other', 'never')],
      storedAt,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageMissingError);
    expect((err as ImageMissingError).problems).toEqual([
      'service a: image docker.io/library/nope:1 is not in the local store and its pull_policy is never; run `stack image pull nope:1` or `stack image import` first, or drop pull_policy',
      'service c: image docker.io/library/other:latest is not in the local store and its pull_policy is never; run `stack image pull other` or `stack image import` first, or drop pull_policy',
    ]);
    expect((err as Error).message).toMatch(/^2 images are missing:\n  - service a/);
  });

  it('pulls the missing images of type: image mounts too, even for a service that is built', async () => {
    const mount = (source: string) => ({
      volumes: [{ type: 'image' as const, source, target: '/img', readOnly: true }],
    });
    const targets = await imagesToPull(
      [
        svc('a', 'busybox', 'missing', mount('busybox')),
        svc('b', 'x/y', 'build', { ...mount('alpine:3'), build: { context: '.' } as Service['build'] }),
      ],
      storedAt,
      NOW,
    );
    expect(targets).toEqual([{ ref: 'docker.io/library/alpine:3', platform: undefined, services: ['b'] }]);
  });

  it('daily, weekly and every_<duration> pull what is missing and what was stored longer ago than the period', async () => {
    const targets = await imagesToPull(
      [
        svc('daily', 'busybox', 'daily'), // stored 48 h ago: older than a day
        svc('weekly', 'busybox', 'weekly'), // younger than a week: kept
        svc('every3d', 'busybox', 'every_3d'), // kept
        svc('every12h', 'busybox', 'every_12h'), // pulled
        svc('missing', 'alpine', 'weekly'), // not stored: pulled
      ],
      storedAt,
      NOW,
    );
    expect(targets).toEqual([
      { ref: 'docker.io/library/busybox:latest', platform: undefined, services: ['daily', 'every12h'] },
      { ref: 'docker.io/library/alpine:latest', platform: undefined, services: ['missing'] },
    ]);
  });

  it('pulls again an image stored for another platform than the service asks for', async () => {
    const targets = await imagesToPull(
      [
        svc('same', 'busybox', 'missing', { platform: 'linux/amd64' }),
        svc('arm', 'busybox', 'missing', { platform: 'linux/arm64' }),
        svc('any', 'busybox', 'missing'),
      ],
      storedAt,
      NOW,
    );
    expect(targets).toEqual([{ ref: 'docker.io/library/busybox:latest', platform: 'linux/arm64', services: ['arm'] }]);
  });

  it('asks the store once per reference, however many services share the image', async () => {
    const asked: string[] = [];
    const counting = async (ref: string) => {
      asked.push(ref);
      return storedAt(ref);
    };
    const services = Array.from({ length: 50 }, (_, i) => svc(`s${i}`, i % 2 ? 'busybox' : 'alpine', 'missing'));
    const targets = await imagesToPull(services, counting, NOW);
    expect(asked.sort()).toEqual(['docker.io/library/alpine:latest', 'docker.io/library/busybox:latest']);
    expect(targets).toEqual([
      {
        ref: 'docker.io/library/alpine:latest',
        platform: undefined,
        services: services.filter((_, i) => i % 2 === 0).map((s) => s.name),
      },
    ]);
  });
});
