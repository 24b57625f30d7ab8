// The image's HEALTHCHECK in the plan, docker's rules: a service without `healthcheck:`
// runs the image's, a service with one overrides it field by field, `disable`/NONE switch it
// off; service_healthy waits on an image-only check (golden/image-healthcheck.txt); and the
// config hash follows the merged healthcheck, not the image's alone.

import { describe, expect, it } from 'vitest';
import { effectiveHealthcheck } from '../../model/effective-healthcheck.js';
import { HEALTHCHECK_DEFAULTS } from '../../model/healthcheck.js';
import type { ImageInfo } from '../../model/observed.js';
import type { ContainerSpec, Plan } from '../../model/plan.js';
import { planToText } from '../../model/plan-text.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import type { PartialHealthcheck, ServiceHealthcheck } from '../../model/types.js';
import { applied, image, load, observed } from './reconcile-fixtures.js';

const IMAGE_CHECK: PartialHealthcheck = {
  test: ['CMD-SHELL', 'test -f /ready'],
  intervalMs: 2000,
  timeoutMs: 1000,
  retries: 5,
  startPeriodMs: 3000,
};
const withCheck = (healthcheck: PartialHealthcheck | undefined): ImageInfo => ({
  ...image,
  ...(healthcheck ? { healthcheck } : {}),
});

const file = (hc: Partial<ServiceHealthcheck>): ServiceHealthcheck => ({ test: [], disable: false, ...hc });

describe('effectiveHealthcheck', () => {
  it("a service without the key runs the image's check, docker's defaults where the image sets nothing", () => {
    expect(effectiveHealthcheck(undefined, IMAGE_CHECK)).toEqual({
      test: ['CMD-SHELL', 'test -f /ready'],
      intervalMs: 2000,
      timeoutMs: 1000,
      retries: 5,
      startPeriodMs: 3000,
      startIntervalMs: HEALTHCHECK_DEFAULTS.startIntervalMs,
      disable: false,
    });
  });

  it('no check at all when neither has one, or the image says NONE or gives no test', () => {
    expect(effectiveHealthcheck(undefined, undefined)).toBeUndefined();
    expect(effectiveHealthcheck(undefined, { test: ['NONE'], intervalMs: 5 })).toBeUndefined();
    expect(effectiveHealthcheck(undefined, { test: [], intervalMs: 5 })).toBeUndefined();
  });

  it("the file's fields win one by one; the rest come from the image; a 0 in the file means not set", () => {
    expect(effectiveHealthcheck(file({ intervalMs: 100, retries: 0 }), IMAGE_CHECK)).toEqual({
      test: IMAGE_CHECK.test,
      intervalMs: 100,
      timeoutMs: 1000,
      retries: 5,
      startPeriodMs: 3000,
      startIntervalMs: 5000,
      disable: false,
    });
    expect(effectiveHealthcheck(file({ test: ['CMD', 'true'] }), IMAGE_CHECK)).toMatchObject({
      test: ['CMD', 'true'],
      intervalMs: 2000,
      retries: 5,
    });
  });

  it('disable, or NONE from the file or (for a file without test) from the image, switches it off', () => {
    const off = { test: [], ...HEALTHCHECK_DEFAULTS, disable: true };
    expect(effectiveHealthcheck(file({ disable: true }), IMAGE_CHECK)).toEqual(off);
    expect(effectiveHealthcheck(file({}), { test: ['NONE'], intervalMs: 7 })).toEqual(off);
  });

  it("without an image check, the file's healthcheck is what it always was: its values, defaults filled in", () => {
    // The same object the normaliser made before images counted: container hashes stay.
    expect(effectiveHealthcheck(file({ test: ['CMD', 'true'], intervalMs: 0, retries: 2 }), undefined)).toEqual({
      test: ['CMD', 'true'],
      intervalMs: 0,
      timeoutMs: 30_000,
      retries: 2,
      startPeriodMs: 0,
      startIntervalMs: 5000,
      disable: false,
    });
    expect(effectiveHealthcheck(file({ intervalMs: 100 }), undefined)).toEqual({
      test: [],
      ...HEALTHCHECK_DEFAULTS,
      intervalMs: 100,
      disable: false,
    });
  });
});

const stackText = (dbHealthcheck = '') => `name: hello
services:
  db:
    image: stack.local/busybox:latest
    command: ["sh", "-c", "touch /ready; sleep 1000"]
${dbHealthcheck}  api:
    image: stack.local/busybox:latest
    command: ["sleep", "1000"]
    depends_on:
      db: { condition: service_healthy }
`;

const startOf = (plan: Plan, service: string): ContainerSpec | undefined =>
  plan.operations.flatMap((o) =>
    o.kind === 'container.start' && o.container.service === service ? [o.container] : [],
  )[0];

describe("the image's HEALTHCHECK in the plan", () => {
  it("service_healthy waits on a dependency whose only healthcheck is its image's", async () => {
    const plan = reconcile(load(stackText()), observed({ images: [withCheck(IMAGE_CHECK)] }));
    await expect(planToText(plan)).toMatchFileSnapshot('golden/image-healthcheck.txt');
    expect(startOf(plan, 'db')!.healthcheck).toMatchObject({ test: IMAGE_CHECK.test, intervalMs: 2000 });
    // start period + (start interval + timeout) × (retries + 1) + 10 s of slack
    const wait = plan.operations.find((o) => o.id === 'wait:api')!;
    expect(wait.kind === 'container.wait' && wait.dependencies[0]!.timeoutSeconds).toBe(3 + (5 + 1) * 6 + 10);
  });

  it("recreates a container when the image's check changes what it runs, and only then", () => {
    // db alone: a disabled check would leave api's service_healthy unmet (a PlanError).
    const dbOnly = (dbHealthcheck: string) => stackText(dbHealthcheck).replace(/  api:[\s\S]*/, '');
    const hashOf = (dbHealthcheck: string, check: PartialHealthcheck | undefined) =>
      startOf(reconcile(load(dbOnly(dbHealthcheck)), observed({ images: [withCheck(check)] })), 'db')!.hash;
    const changed: PartialHealthcheck = { ...IMAGE_CHECK, intervalMs: 9000 };

    expect(hashOf('', changed)).not.toBe(hashOf('', IMAGE_CHECK));
    // The file overrides the changed field, or switches the check off: nothing to recreate.
    const interval = '    healthcheck:\n      interval: 1s\n';
    expect(hashOf(interval, changed)).toBe(hashOf(interval, IMAGE_CHECK));
    const disabled = '    healthcheck:\n      disable: true\n';
    expect(hashOf(disabled, changed)).toBe(hashOf(disabled, IMAGE_CHECK));
    expect(hashOf(disabled, IMAGE_CHECK)).toBe(hashOf(disabled, undefined));
    // An image that says NONE gives the same container as one without a check.
    expect(hashOf('', { test: ['NONE'] })).toBe(hashOf('', undefined));
  });

  it('a changed image check recreates the container that inherits it and leaves one that overrides every field alone', () => {
    const text = stackText(
      '    healthcheck:\n      test: ["CMD", "true"]\n      interval: 1s\n      timeout: 1s\n      retries: 1\n      start_period: 1s\n      start_interval: 1s\n',
    );
    const first = observed({ images: [withCheck(IMAGE_CHECK)] });
    const state = applied(reconcile(load(text), first), first);
    const plan = reconcile(load(text), { ...state, images: [withCheck({ ...IMAGE_CHECK, timeoutMs: 7000 })] });
    // db sets every field itself; api has no healthcheck key and takes the new timeout.
    expect(plan.operations.map((o) => o.id)).toEqual([
      'wait:api',
      'start:hello-api-1.b',
      'ready:hello-api-1.b',
      'remove:hello-api-1',
    ]);
    expect(startOf(plan, 'api')!.healthcheck).toMatchObject({ test: IMAGE_CHECK.test, timeoutMs: 7000 });
  });
});
