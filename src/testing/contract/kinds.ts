// The custom resources the cluster contract uses, and their CRD manifests for adapters backed by a real API server.
import type { KubeObject } from '../../domain/kubernetes.js';
import type { ResourceInfo } from '../../ports/cluster.js';

/** A namespaced custom resource with the status subresource. Every adapter under contract must serve it. */
export const WIDGET: ResourceInfo = {
  apiVersion: 'contract.kubetasks.dev/v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
  statusSubresource: true,
};

/** A namespaced custom resource without the status subresource (status is ordinary content). */
export const GADGET: ResourceInfo = {
  apiVersion: 'contract.kubetasks.dev/v1',
  kind: 'Gadget',
  plural: 'gadgets',
  namespaced: true,
  statusSubresource: false,
};

/** The custom kinds an adapter must serve for the contract: register them (memory) or install the CRDs. */
export const contractKinds: ReadonlyArray<ResourceInfo> = [WIDGET, GADGET];

const crdOf = (r: ResourceInfo): KubeObject => {
  const [group = '', version = ''] = r.apiVersion.split('/');
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${r.plural}.${group}` },
    spec: {
      group,
      scope: r.namespaced ? 'Namespaced' : 'Cluster',
      names: { plural: r.plural, singular: r.kind.toLowerCase(), kind: r.kind, listKind: `${r.kind}List` },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          ...(r.statusSubresource ? { subresources: { status: {} } } : {}),
        },
      ],
    },
  };
};

/** CustomResourceDefinitions for the contract kinds (schemaless: every field is preserved). */
export const contractCustomResourceDefinitions = (): ReadonlyArray<KubeObject> => contractKinds.map(crdOf);
