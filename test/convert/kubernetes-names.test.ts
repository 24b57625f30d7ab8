// Compose names Kubernetes does not take as they are (capitals, '_', '.', a leading digit,
// more than 63 characters): the objects still validate, and every name a client of the
// stack would use and no longer finds is a warning at its key.

import { describe, expect, it } from 'vitest';
import { convertToKubernetes } from '../../convert/kubernetes/convert-stack.js';
import { dnsLabel } from '../../convert/kubernetes/k8s-names.js';
import { load } from '../planner/helpers.js';
import { k8sProblems } from './k8s-schema.js';

const LONG = `svc${'x'.repeat(70)}`;
const TEXT = `name: p
services:
  Web_App:
    image: busybox
    networks:
      front_end:
        aliases: [db.local, api, Web_App]
  2nd:
    image: busybox
    networks: [front_end]
    labels: { "bad key!": "x" }
  gateway:
    image: busybox
    container_name: api
networks:
  front_end: {}
`;

describe('names Kubernetes does not take as they are', () => {
  const { objects, warnings } = convertToKubernetes(load(TEXT));

  it('still makes objects a cluster takes', () => {
    expect(k8sProblems(objects)).toEqual([]);
  });

  it('warns, at its key, about each name clients no longer find', () => {
    expect(warnings.map((w) => `${w.path.join('.')}: ${w.message}`)).toEqual([
      'services.2nd.labels.bad key!: label key "bad key!" is not a Kubernetes label or annotation key; left out',
      'services.2nd: the service name "2nd" is not a DNS label; in the cluster it is "s-2nd"',
      'services.Web_App: the service name "Web_App" is not a DNS label; in the cluster it is "web-app"',
      'services.Web_App.networks.front_end.aliases: the name "db.local" is not a DNS label, so no Service answers it in the cluster',
      `services.gateway.container_name: the name "api" is also Web_App's; the cluster answers it for Web_App only`,
    ]);
  });

  it('keeps two long names apart when it cuts them', () => {
    expect(dnsLabel(`${LONG}a`)).not.toBe(dnsLabel(`${LONG}b`));
    expect(dnsLabel(`${LONG}a`).length).toBeLessThanOrEqual(63);
  });
});

describe('two things of the stack that become one Kubernetes name', () => {
  it('are errors at the later one’s key, naming both: services, volumes, configs, secrets, networks', () => {
    const { errors } = convertToKubernetes(
      load(`name: p
services:
  api_v1: { image: busybox, volumes: [data_1:/a, data-1:/b], networks: [a_b, a-b] }
  api-v1: { image: busybox }
volumes: { data_1: {}, data-1: {} }
networks: { a_b: {}, a-b: {} }
configs: { c_1: { content: x }, c-1: { content: y } }
secrets: { s_1: { file: ./s }, s-1: { file: ./s } }
`),
    );
    expect(errors.map((e) => `${e.path.join('.')}: ${e.message}`)).toEqual([
      'services.api_v1: services api-v1 and api_v1 both become the Kubernetes name api-v1: rename one of them (Kubernetes names take lowercase letters, digits and "-" only)',
      'volumes.data_1: volumes data-1 and data_1 both become the Kubernetes name data-1: rename one of them (Kubernetes names take lowercase letters, digits and "-" only)',
      'configs.c_1: configs c-1 and c_1 both become the Kubernetes name config-c-1: rename one of them (Kubernetes names take lowercase letters, digits and "-" only)',
      'secrets.s_1: secrets s-1 and s_1 both become the Kubernetes name secret-s-1: rename one of them (Kubernetes names take lowercase letters, digits and "-" only)',
      'networks.a_b: networks a-b and a_b both become the Kubernetes name network-a-b: rename one of them (Kubernetes names take lowercase letters, digits and "-" only)',
    ]);
  });

  it('none when the names stay apart', () => {
    expect(convertToKubernetes(load(TEXT)).errors).toEqual([]);
  });
});
