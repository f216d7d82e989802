/**
 * Process-wide counters and latency histograms, exposed at /metrics in Prometheus text format.
 * Label values are route patterns, kinds and statuses — never ids, URLs or anything a user typed.
 */
type Labels = Record<string, string>;
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Family {
  help: string;
  type: 'counter' | 'histogram' | 'gauge';
  series: Map<string, { labels: Labels; value: number; buckets?: number[]; sum?: number }>;
  read?: () => number;
}

const families = new Map<string, Family>();
/** A series' identity: its labels in name order (one per request, so no JSON of sorted pairs). */
const key = (labels: Labels): string => {
  let k = '';
  for (const name of Object.keys(labels).sort()) k += `${name}\u0000${labels[name] ?? ''}\u0001`;
  return k;
};

function family(name: string, help: string, type: Family['type']): Family {
  let f = families.get(name);
  if (!f) families.set(name, (f = { help, type, series: new Map() }));
  return f;
}

export function countMetric(name: string, help: string, labels: Labels, by = 1): void {
  const f = family(name, help, 'counter');
  const k = key(labels);
  const s = f.series.get(k) ?? { labels, value: 0 };
  s.value += by;
  f.series.set(k, s);
}

export function observeSeconds(name: string, help: string, labels: Labels, seconds: number): void {
  const f = family(name, help, 'histogram');
  const k = key(labels);
  const s = f.series.get(k) ?? { labels, value: 0, buckets: BUCKETS.map(() => 0), sum: 0 };
  s.value += 1;
  s.sum = (s.sum ?? 0) + seconds;
  BUCKETS.forEach((b, i) => {
    if (seconds <= b && s.buckets) s.buckets[i] = (s.buckets[i] ?? 0) + 1;
  });
  f.series.set(k, s);
}

/** A value read when /metrics is scraped (e.g. open live streams). */
export function gaugeMetric(name: string, help: string, read: () => number): void {
  family(name, help, 'gauge').read = read;
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const fmt = (labels: Labels, extra: Labels = {}) => {
  const all = { ...labels, ...extra };
  const parts = Object.entries(all).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

export function renderMetrics(): string {
  const out: string[] = [];
  for (const [name, f] of families) {
    out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`);
    if (f.type === 'gauge') out.push(`${name} ${f.read?.() ?? 0}`);
    for (const s of f.series.values()) {
      if (f.type === 'counter') out.push(`${name}${fmt(s.labels)} ${s.value}`);
      if (f.type === 'histogram') {
        BUCKETS.forEach((b, i) => out.push(`${name}_bucket${fmt(s.labels, { le: String(b) })} ${s.buckets?.[i] ?? 0}`));
        out.push(`${name}_bucket${fmt(s.labels, { le: '+Inf' })} ${s.value}`, `${name}_sum${fmt(s.labels)} ${s.sum ?? 0}`, `${name}_count${fmt(s.labels)} ${s.value}`);
      }
    }
  }
  return `${out.join('\n')}\n`;
}
