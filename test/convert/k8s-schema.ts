// Validation of converted objects against the Kubernetes OpenAPI schemas, as the
// `kubernetes-models` package (4.5.1, pinned; generated from Kubernetes v1.33 — 5.x asks for Node 22, whose engine warning npm ci would print here) compiles
// them, plus what those schemas do not say and an API server (or `kubectl apply`, which
// validates fields strictly) does check: no unknown field, and valid object names.

import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { K8sObject } from '../../convert/kubernetes/convert-types.js';

interface Validating {
  validate(): void;
}
type ModelClass = new (data: never) => Validating;

const MODELS: Record<string, ModelClass> = {
  Deployment,
  StatefulSet,
  Job,
  NetworkPolicy,
  Role,
  RoleBinding,
  ConfigMap,
  PersistentVolumeClaim,
  Secret,
  Service,
  ServiceAccount,
} as unknown as Record<string, ModelClass>;

function schemaErrors(o: unknown): string | undefined {
  const kind = (o as K8sObject).kind;
  const Model = MODELS[kind];
  if (!Model) return `no schema for kind ${kind}`;
  try {
    new Model(o as never).validate();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Every path to a value under an object key (array items are walked, not named). */
function fieldPaths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => fieldPaths(v, [...at, i]));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [[...at, k], ...fieldPaths(v, [...at, k])]);
}

function withProbe(o: unknown, path: (string | number)[]): unknown {
  const copy = structuredClone(o) as Record<string | number, unknown>;
  let cur = copy;
  for (const seg of path.slice(0, -1)) cur = cur[seg] as Record<string | number, unknown>;
  // A function has no JSON type: any schema that knows the field refuses it there.
  cur[path[path.length - 1]!] = () => {};
  return copy;
}

/** The path as ajv names it: a JSON pointer without its leading '/'. */
const pointer = (path: (string | number)[]) =>
  path.map((seg) => String(seg).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * Fields the schema does not know: the compiled schemas ignore unknown fields, so each field
 * is replaced by a value of no JSON type, and a field whose replacement the schema does not
 * refuse at its own path is one it does not describe.
 */
function unknownFields(o: unknown): string[] {
  return fieldPaths(o)
    .filter((path) => path[0] !== 'apiVersion' && path[0] !== 'kind')
    .filter((path) => !(schemaErrors(withProbe(o, path)) ?? '').includes(`data/${pointer(path)} `))
    .map((path) => path.join('.'));
}

const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_1035 = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** What the API server checks of names beyond the schema. */
function nameProblems(o: K8sObject): string[] {
  const name = o.metadata.name;
  const problems: string[] = [];
  if (!DNS_1123_SUBDOMAIN.test(name) || name.length > 253) problems.push(`name ${name} is not a DNS subdomain`);
  if (o.kind === 'Service' && !DNS_1035.test(name)) problems.push(`Service name ${name} is not a DNS-1035 label`);
  return problems;
}

/** Every problem of the objects, as `Kind/name: problem`; empty when a cluster would take them all. */
export function k8sProblems(objects: readonly K8sObject[]): string[] {
  return objects.flatMap((o) => {
    const id = `${o.kind}/${o.metadata.name}`;
    const schema = schemaErrors(o);
    return [
      ...(schema ? [`${id}: ${schema}`] : []),
      ...unknownFields(o).map((f) => `${id}: unknown field ${f}`),
      ...nameProblems(o).map((p) => `${id}: ${p}`),
    ];
  });
}
