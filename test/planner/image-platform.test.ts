// A service's `platform` against the platform its stored image was made for: a mismatch is
// a plan problem naming both and the pull that fixes it, not a container of the wrong kind.

import { describe, expect, it } from 'vitest';
import { reconcile } from '../../planner/plan/reconcile.js';
import { imageInfo } from '../../images/manifest.js';
import { platformsDiffer } from '../../model/platform-match.js';
import { planProblems, problems } from './helpers.js';
import { image, load, observed } from './reconcile-fixtures.js';

const file = (platform: string) =>
  `name: hello\nservices:\n  web:\n    image: stack.local/busybox:latest\n    platform: ${platform}\n`;

describe('platform of the stored image', () => {
  it('plans a service whose platform is the image’s, and one whose image has no recorded platform', () => {
    const armImage = { ...image, platform: 'linux/arm64/v8' };
    expect(planProblems(() => reconcile(load(file('linux/arm64')), observed({ images: [armImage] })))).toEqual([]);
    expect(planProblems(() => reconcile(load(file('linux/arm64')), observed()))).toEqual([]);
  });

  it('refuses an image stored for another platform, naming the pull that fixes it', () => {
    const amd = { ...image, platform: 'linux/amd64' };
    expect(planProblems(() => reconcile(load(file('linux/arm64')), observed({ images: [amd] })))).toEqual([
      "service web: image stack.local/busybox:latest in the local store is for linux/amd64, not the service's platform linux/arm64; pull it for that platform (`stack image pull --platform linux/arm64 stack.local/busybox:latest`) or change platform",
    ]);
  });

  it('records the platform from the image config', () => {
    const info = imageInfo('stack.local/x:1', image.id, [], { os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(info.platform).toBe('linux/arm64/v8');
    expect(imageInfo('stack.local/x:1', image.id, [], {}).platform).toBeUndefined();
  });

  it('compares a variant only when both name one', () => {
    expect(platformsDiffer('linux/arm64', 'linux/arm64/v8')).toBe(false);
    expect(platformsDiffer('linux/arm/v7', 'linux/arm/v6')).toBe(true);
    expect(platformsDiffer('linux/amd64', 'linux/arm64')).toBe(true);
  });
});

describe('one image reference for two platforms', () => {
  it('is refused at the second platform, naming the first service (the store keeps one image per reference)', () => {
    const file = [
      'services:',
      '  a:',
      '    image: nginx',
      '    platform: linux/amd64',
      '  b:',
      '    image: docker.io/library/nginx:latest',
      '    platform: linux/arm64',
      '  c:',
      '    image: nginx',
      '    platform: linux/amd64',
      '',
    ].join('\n');
    expect(problems(file)).toStrictEqual([
      '7:15: service "b" wants image docker.io/library/nginx:latest for linux/arm64, service "a" for linux/amd64; stack stores one image per reference: tag the image apart for one of them, or give both the same platform',
    ]);
  });
});
