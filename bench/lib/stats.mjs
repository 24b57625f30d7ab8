// Summary statistics and the Markdown rendering shared by every bench section.

export function summary(samples) {
  const xs = [...samples].sort((a, b) => a - b);
  if (xs.length === 0) return undefined;
  const mid = Math.floor(xs.length / 2);
  const median = xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
  return { runs: xs.length, median, min: xs[0], max: xs[xs.length - 1] };
}

export function fmt(n, unit = 'ms') {
  if (n === undefined || Number.isNaN(n)) return '–';
  if (unit === 'MB') return n.toFixed(1);
  return n >= 100 ? n.toFixed(0) : n.toFixed(1);
}

/**
 * One Markdown table: a row per (measurement, tool) with median, min, max and the ratio of
 * the tool's median to stack's (how many times slower/larger than stack it is).
 */
export function markdownTable(rows) {
  const out = [
    '| measurement | tool | median | min | max | unit | ratio to stack |',
    '| --- | --- | ---: | ---: | ---: | --- | ---: |',
  ];
  for (const r of rows) {
    if (r.absent) {
      out.push(`| ${r.measurement} | ${r.tool} | absent | | | | |`);
      continue;
    }
    if (r.error) {
      out.push(
        `| ${r.measurement} | ${r.tool} | failed: ${r.error.replace(/\|/g, '/').split('\n')[0].slice(0, 80)} | | | | |`,
      );
      continue;
    }
    const base = rows.find((b) => b.measurement === r.measurement && b.tool === 'stack' && b.stats);
    const ratio = base && r.stats ? `${(r.stats.median / base.stats.median).toFixed(1)}×` : '';
    out.push(
      `| ${r.measurement} | ${r.tool} | ${fmt(r.stats.median, r.unit)} | ${fmt(r.stats.min, r.unit)} | ${fmt(r.stats.max, r.unit)} | ${r.unit} | ${r.tool === 'stack' ? '1.0×' : ratio} |`,
    );
  }
  return out.join('\n');
}

/** Runs `f` `runs` times one after another; the summary of its wall times in ms. */
export async function timedRuns(runs, f) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    samples.push(performance.now() - t);
  }
  return summary(samples);
}
