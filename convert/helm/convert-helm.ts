// The chart of a stack: the Kubernetes conversion of the stack as loaded, with every
// string a variable filled made a template of that variable (variable-places.ts), and
// values.yaml holding the value each such variable had (its default when it was unset).

import type { Stack } from '../../model/types.js';
import { convertToKubernetes } from '../kubernetes/convert-stack.js';
import type { ConvertOptions, ConvertWarning } from '../kubernetes/convert-types.js';
import { helmChart, type Chart } from './helm-chart.js';
import { addPlaces, type Places } from './variable-places.js';

export interface MarkedLoad {
  variable: string;
  marker: string;
  /** The stack loaded with the variable set to the marker; undefined when that load failed. */
  stack?: Stack;
}

export function convertToHelm(
  stack: Stack,
  marked: readonly MarkedLoad[],
  options: Partial<ConvertOptions> = {},
): { chart: Chart; warnings: ConvertWarning[]; fixed: string[] } {
  const { objects, warnings } = convertToKubernetes(stack, options);
  const places: Places = new Map();
  const used: Record<string, string> = {};
  const fixed: string[] = [];
  for (const m of marked) {
    const value = m.stack
      ? addPlaces(places, objects, convertToKubernetes(m.stack, options).objects, m.variable, m.marker)
      : undefined;
    if (value !== undefined) used[m.variable] = value;
    else fixed.push(m.variable);
  }
  return { chart: helmChart(stack.project, objects, places, used), warnings, fixed };
}
