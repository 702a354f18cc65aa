// Strict codecs for the Kubernetes core/v1 objects that operators embed in the platform configuration.
// The public KubernetesCodecs namespace gathers the modules under core-v1/, one a subject.

// Field lists follow the Kubernetes v1.34 API (k8s.io/api core/v1 and meta/v1 at v0.34). The
// installed kubernetes-types describes v1.30, so the fields added since then are decoded here
// although its types do not name them: ResourceClaim.request, PodSecurityContext.supplementalGroupsPolicy
// and .seLinuxChangePolicy, and EnvVarSource.fileKeyRef (FileKeySelector). Decoded values stay
// assignable to the kubernetes-types shapes, so adapters can place them in manifests unchanged.
//
// Checked here: shape, the closed enumerations, integer widths, and two single-field rules the API
// server always enforces (weights are 1 to 100, a DNS option has a name), because those are what a
// misspelling or a wrong indentation breaks. Cross-field rules (one source per valueFrom,
// localhostProfile only with type Localhost, ...) stay with the API server.

export * from './core-v1/scalars.js';
export * from './core-v1/scheduling.js';
export * from './core-v1/security.js';
export * from './core-v1/dns.js';
export * from './core-v1/resources.js';
export * from './core-v1/env.js';
