import { describe, expect, it } from 'vitest';
import { normalizeImageRef } from '../../model/image-ref.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('normalizeImageRef', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['library/busybox', 'docker.io/library/busybox:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['index.docker.io/library/busybox:1', 'docker.io/library/busybox:1'],
    ['foo/bar:1', 'docker.io/foo/bar:1'],
    ['foo/bar/baz', 'docker.io/foo/bar/baz:latest'],
    ['localhost/x', 'localhost/x:latest'],
    ['localhost:5000/x', 'localhost:5000/x:latest'],
    ['127.0.0.1:5000/a/b:v2', '127.0.0.1:5000/a/b:v2'],
    ['stack.local/busybox:latest', 'stack.local/busybox:latest'],
    ['ghcr.io/o/my-app_x.y:1.0-rc_1', 'ghcr.io/o/my-app_x.y:1.0-rc_1'],
    [`busybox@${DIGEST}`, `docker.io/library/busybox@${DIGEST}`],
    [`busybox:1@${DIGEST}`, `docker.io/library/busybox:1@${DIGEST}`],
    [`localhost:5000/x@${DIGEST}`, `localhost:5000/x@${DIGEST}`],
  ])('%s → %s', (input, expected) => {
    expect(normalizeImageRef(input)).toBe(expected);
  });

  it('is idempotent', () => {
    for (const r of ['busybox', 'foo/bar:1', 'localhost:5000/x', `busybox@${DIGEST}`]) {
      const once = normalizeImageRef(r);
      expect(normalizeImageRef(once)).toBe(once);
    }
  });

  it.each([
    ['', /empty/],
    [' busybox', /whitespace/],
    ['Busybox', /lowercase/],
    ['foo//bar', /empty path component/],
    ['busybox:', /tag/],
    ['busybox:bad tag', /whitespace/],
    ['busybox:-x', /tag/],
    [':latest', /name is missing/],
    ['busybox@sha256:1234', /64 lowercase hex/],
    ['busybox@nope', /digest/],
    ['foo/-bar', /path component/],
    ['foo/bar..baz', /path component/],
    ['bad_host.io:x/y', /registry|tag/],
    ['localhost:5000/', /repository path is missing|empty path component/],
    [`x/${'a'.repeat(300)}`, /longer than 255/],
  ])('rejects %j', (input, why) => {
    expect(() => normalizeImageRef(input)).toThrow(why);
    expect(() => normalizeImageRef(input)).toThrow(/invalid image reference/);
  });
});
