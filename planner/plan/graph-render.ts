// The stack as a picture: services, networks and named volumes as nodes; dependency edges
// labelled with their condition (dashed when not required), dotted edges for the networks
// a service joins and the volumes it mounts. Graphviz DOT or Mermaid text; deterministic
// (the Stack is sorted), so the output can be diffed and kept under version control.

import type { Stack } from '../../model/types.js';

interface Node {
  id: string;
  label: string;
  kind: 'service' | 'network' | 'volume';
}

interface Edge {
  from: string;
  to: string;
  label?: string;
  kind: 'depends' | 'optional' | 'attach';
}

function model(stack: Stack): { nodes: Node[]; edges: Edge[] } {
  const nodes: Node[] = [];
  const edges: Edge[] = [];
  const id = (kind: Node['kind'], i: number) => `${kind[0]}${i}`;
  const services = new Map(stack.services.map((s, i) => [s.name, id('service', i)]));
  const networks = new Map(stack.networks.map((n, i) => [n.key, id('network', i)]));
  const volumes = new Map(stack.volumes.map((v, i) => [v.key, id('volume', i)]));
  for (const s of stack.services) nodes.push({ id: services.get(s.name)!, label: s.name, kind: 'service' });
  for (const n of stack.networks) nodes.push({ id: networks.get(n.key)!, label: n.key, kind: 'network' });
  for (const v of stack.volumes) nodes.push({ id: volumes.get(v.key)!, label: v.key, kind: 'volume' });
  for (const s of stack.services) {
    const from = services.get(s.name)!;
    for (const d of s.dependsOn) {
      const to = services.get(d.service);
      if (to) edges.push({ from, to, label: d.condition, kind: d.required ? 'depends' : 'optional' });
    }
    const shared = s.networkMode?.startsWith('service:')
      ? services.get(s.networkMode.slice('service:'.length))
      : undefined;
    if (shared) edges.push({ from, to: shared, label: 'network_mode', kind: 'attach' });
    for (const n of s.networks) {
      const to = networks.get(n.network);
      if (to) edges.push({ from, to, kind: 'attach' });
    }
    for (const m of s.volumes) {
      const to = m.type === 'volume' && m.source !== undefined ? volumes.get(m.source) : undefined;
      if (to) edges.push({ from, to, label: m.target, kind: 'attach' });
    }
  }
  return { nodes, edges };
}

const dotQuote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const DOT_SHAPES: Record<Node['kind'], string> = { service: 'box', network: 'ellipse', volume: 'cylinder' };
const DOT_STYLES: Record<Edge['kind'], string[]> = {
  depends: [],
  optional: ['style=dashed'],
  attach: ['style=dotted', 'arrowhead=none'],
};

export function renderDot(stack: Stack): string {
  const { nodes, edges } = model(stack);
  const lines = [`digraph ${dotQuote(stack.project)} {`, '  rankdir=LR;'];
  for (const n of nodes) lines.push(`  ${n.id} [label=${dotQuote(n.label)}, shape=${DOT_SHAPES[n.kind]}];`);
  for (const e of edges) {
    const attrs = [...(e.label === undefined ? [] : [`label=${dotQuote(e.label)}`]), ...DOT_STYLES[e.kind]];
    lines.push(`  ${e.from} -> ${e.to}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** Mermaid labels: double quotes become #quot; so any name fits inside "…". */
const mmQuote = (s: string) => `"${s.replace(/"/g, '#quot;')}"`;
const MM_SHAPES: Record<Node['kind'], [string, string]> = {
  service: ['[', ']'],
  network: ['([', '])'],
  volume: ['[(', ')]'],
};
const MM_ARROWS: Record<Edge['kind'], string> = { depends: '-->', optional: '-.->', attach: '-.-' };

export function renderMermaid(stack: Stack): string {
  const { nodes, edges } = model(stack);
  const lines = ['flowchart LR'];
  for (const n of nodes) lines.push(`  ${n.id}${MM_SHAPES[n.kind][0]}${mmQuote(n.label)}${MM_SHAPES[n.kind][1]}`);
  for (const e of edges)
    lines.push(`  ${e.from} ${MM_ARROWS[e.kind]}${e.label === undefined ? '' : `|${mmQuote(e.label)}|`} ${e.to}`);
  return `${lines.join('\n')}\n`;
}
