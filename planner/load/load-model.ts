// One model: its files loaded and merged in order (`-f a -f b`, or an include's paths).
// Per file, in compose-go's order: parse and interpolate (load-context.ts) → include →
// drop what `!reset`/`!override` replace in the files before → extends → merge into the
// files before (merge-files.ts).

import { applyExtends } from './extends.js';
import { applyIncludes, type ModelInput } from './include.js';
import { loadDocument, type LoadContext, type Obj } from './load-context.js';
import { applyResets, mergeDocuments } from './merge-files.js';

export type { ModelInput };

export function loadModel(ctx: LoadContext, model: ModelInput): Obj {
  let merged: Obj = {};
  for (const abs of model.files) {
    const doc = loadDocument(ctx, abs, model.env);
    if (!doc) continue;
    applyIncludes(ctx, doc, model, loadModel);
    applyResets(merged, doc.resets);
    applyExtends(ctx, doc, model.env);
    merged = mergeDocuments(merged, doc.value);
  }
  return merged;
}
