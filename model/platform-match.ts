// Whether an image made for one platform (`os/architecture[/variant]`, as recorded from its
// config) serves a service asking for another with `platform:`. A variant counts only when
// both name one (`linux/arm64` matches `linux/arm64/v8`), as docker compares them.

export function platformsDiffer(wanted: string, stored: string): boolean {
  const [wantOs, wantArch, wantVariant] = wanted.split('/');
  const [os, arch, variant] = stored.split('/');
  if (wantOs !== os || wantArch !== arch) return true;
  return wantVariant !== undefined && variant !== undefined && wantVariant !== variant;
}
