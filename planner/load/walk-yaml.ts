// Every mapping and scalar of a parsed document, depth first in document order, as yaml's
// `visit` reaches them. `visit` copies and freezes the path of ancestors at every node, which
// was a quarter of loading a 1000-service file; the loader's passes need no path.

import { isDocument, isMap, isPair, isScalar, isSeq, type Document, type Scalar, type YAMLMap } from 'yaml';

export interface YamlWalker {
  /** Every mapping, before its entries. */
  map?: (map: YAMLMap) => void;
  /** Every scalar that is not the key of a mapping entry. */
  value?: (scalar: Scalar) => void;
}

export function walkYaml(doc: Document, walker: YamlWalker): void {
  walk(isDocument(doc) ? doc.contents : doc, false, walker);
}

function walk(node: unknown, isKey: boolean, walker: YamlWalker): void {
  if (isScalar(node)) {
    if (!isKey) walker.value?.(node);
  } else if (isMap(node)) {
    walker.map?.(node);
    for (const pair of node.items) walkPair(pair, walker);
  } else if (isSeq(node)) {
    for (const item of node.items) isPair(item) ? walkPair(item, walker) : walk(item, false, walker);
  } else if (isPair(node)) {
    walkPair(node, walker);
  }
}

function walkPair(pair: { key: unknown; value: unknown }, walker: YamlWalker): void {
  walk(pair.key, true, walker);
  walk(pair.value, false, walker);
}
