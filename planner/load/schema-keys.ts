// The keys a JSON schema allows, by the path of the mapping that holds them: `services.*`
// for the keys of any service, `services.*.volumes.#` for those of a volumes list entry
// (`*` stands for any name, `#` for any list position, as in unsupported-keys.ts). Walks
// $ref, oneOf/anyOf/allOf, patternProperties (other than `x-` extensions),
// additionalProperties and items. Used to hold stack's own schema and the Compose
// Specification's against the key table (compose-keys.ts).

type Schema = Record<string, unknown>;

const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keys by path pattern (dot-joined; the top level is ''), each list sorted. */
export function schemaKeys(root: Schema): Map<string, string[]> {
  const defs = (root.definitions ?? root.$defs ?? {}) as Record<string, Schema>;
  const found = new Map<string, Set<string>>();
  const deref = (s: Schema): Schema => {
    let at = s;
    // A chain of plain references ends within a few steps; a loop would be a broken schema.
    for (let i = 0; i < 20 && typeof at.$ref === 'string'; i++) at = defs[at.$ref.split('/').pop()!] ?? {};
    return at;
  };
  const walk = (given: unknown, path: string[], depth: number): void => {
    if (!isSchema(given) || depth > 16) return;
    const s = deref(given);
    for (const alt of ['oneOf', 'anyOf', 'allOf'].flatMap((k) => (Array.isArray(s[k]) ? (s[k] as unknown[]) : [])))
      walk(alt, path, depth + 1);
    if (isSchema(s.properties)) {
      const keys = found.get(path.join('.')) ?? new Set();
      found.set(path.join('.'), keys);
      for (const [key, sub] of Object.entries(s.properties)) {
        keys.add(key);
        walk(sub, [...path, key], depth + 1);
      }
    }
    for (const [pattern, sub] of Object.entries(isSchema(s.patternProperties) ? s.patternProperties : {}))
      if (!pattern.startsWith('^x-')) walk(sub, [...path, '*'], depth + 1);
    if (isSchema(s.additionalProperties)) walk(s.additionalProperties, [...path, '*'], depth + 1);
    if (isSchema(s.items)) walk(s.items, [...path, '#'], depth + 1);
  };
  walk(root, [], 0);
  return new Map([...found].sort(([a], [b]) => a.localeCompare(b)).map(([path, keys]) => [path, [...keys].sort()]));
}
