// Members of plan data computed when first read. A plan of many new containers carries
// members that its text never prints and reconcile reads only for containers that exist
// (a spec's config hash, a veth's name): each costs a digest, and a plan of 1000 services
// made thousands of them for nothing. What reads them (JSON of a plan, spreads, records,
// reconcile's comparisons) sees a plain enumerable member, in the place it is defined in,
// with the value an eager computation gives, as nothing changes plan data once built.
//
// One getter and setter per kind of member, for all objects: a closure per object would
// give each object a hidden class of its own (and megamorphic reads of all of them after).
// The value is kept aside rather than redefined as a data member, which would turn the
// object into a dictionary-mode one.

/** A member whose value `compute(target, input)` gives when first read; `set` replaces it. */
export class LazyMember<T extends object, I, V> {
  private readonly values = new WeakMap<T, V>();
  private readonly inputs = new WeakMap<T, I>();
  private readonly descriptor: PropertyDescriptor;

  constructor(compute: (target: T, input: I) => V) {
    const { values, inputs } = this;
    this.descriptor = {
      get(this: T): V {
        if (values.has(this)) return values.get(this)!;
        const value = compute(this, inputs.get(this)!);
        values.set(this, value);
        inputs.delete(this);
        return value;
      },
      set(this: T, value: V): void {
        values.set(this, value);
        inputs.delete(this);
      },
      enumerable: true,
      configurable: true,
    };
  }

  /** Defines the member `key` of `target` (after its members so far), computed from `input` when read. */
  define(target: T, key: string, input: I): void {
    // No entry for no input (a spec's hash is made from the spec alone): fewer for the GC to trace.
    if (input !== undefined) this.inputs.set(target, input);
    Object.defineProperty(target, key, this.descriptor);
  }
}
