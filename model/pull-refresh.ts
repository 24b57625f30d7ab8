// `pull_policy: daily | weekly | every_<duration>`: pull when the image is missing, and again
// once the stored one is older than the period (compose's refresh policies). The period in
// seconds; undefined for the other policies. A duration is a number with s, m, h, d or w
// (the schema's pattern); a bare number counts seconds.

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

export function refreshPeriodSeconds(policy: string): number | undefined {
  if (policy === 'daily') return UNIT_SECONDS.d;
  if (policy === 'weekly') return UNIT_SECONDS.w;
  const every = /^every_(\d+)([smhdw]?)$/.exec(policy);
  return every ? Number(every[1]) * UNIT_SECONDS[every[2] || 's']! : undefined;
}
