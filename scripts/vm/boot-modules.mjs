// The kernel modules the VM's initramfs loads before it can mount its root, in an order
// insmod accepts: every module after the ones it depends on, as modules.dep (from
// `depmod -b`) lists them. Paths are relative to the module tree.

import fs from 'node:fs';
import path from 'node:path';

/** `names` (e.g. '9p', 'virtio_pci') with their dependencies, dependencies first. */
export function bootModules(moduleTree, names) {
  const deps = new Map();
  for (const line of fs.readFileSync(path.join(moduleTree, 'modules.dep'), 'utf8').split('\n')) {
    const [mod, rest] = line.split(':');
    if (mod && rest !== undefined) deps.set(mod, rest.trim().split(/\s+/).filter(Boolean));
  }
  const byName = new Map([...deps.keys()].map((m) => [path.basename(m, '.ko').replaceAll('-', '_'), m]));
  const order = [];
  const visit = (mod) => {
    if (order.includes(mod)) return;
    for (const d of deps.get(mod) ?? []) visit(d);
    order.push(mod);
  };
  for (const name of names) {
    const mod = byName.get(name.replaceAll('-', '_'));
    // Built into this kernel (modules.builtin): nothing to load.
    if (mod) visit(mod);
  }
  return order;
}
