// Codecs for where a pod may run: tolerations, node affinity and pod (anti-)affinity, as core/v1 spells them.
import * as t from 'io-ts';
import { oneOf, StringMap, struct } from '../codec.js';
import { Int64, Weight } from './scalars.js';

const strings = t.array(t.string);

/** How a toleration matches a taint: `Exists` ignores the taint's value, `Equal` requires it. */
export const TolerationOperator = oneOf('TolerationOperator', ['Exists', 'Equal']);
/** What a taint does to pods that do not tolerate it; a toleration without an effect tolerates all three. */
export const TaintEffect = oneOf('TaintEffect', ['NoSchedule', 'PreferNoSchedule', 'NoExecute']);
/**
 * The tests a node affinity term can apply to a node label; `Gt` and `Lt` compare the label as an integer.
 */
export const NodeSelectorOperator = oneOf('NodeSelectorOperator', [
  'In',
  'NotIn',
  'Exists',
  'DoesNotExist',
  'Gt',
  'Lt',
]);
/** The tests a label selector can apply to a pod label (pod affinity terms). */
export const LabelSelectorOperator = oneOf('LabelSelectorOperator', [
  'In',
  'NotIn',
  'Exists',
  'DoesNotExist',
]);

/**
 * Decodes a toleration written in the platform configuration (`default-tolerations`,
 * `interruptible-tolerations`), so a misspelt key is reported with its place in the file instead of when the
 * pod is created.
 */
export const Toleration = struct(
  'Toleration',
  {},
  {
    key: t.string,
    operator: TolerationOperator,
    value: t.string,
    effect: TaintEffect,
    tolerationSeconds: Int64,
  },
  'Lets pods schedule onto (or stay on) nodes whose taints match.',
);
/**
 * A decoded toleration, assignable to kubernetes-types' `Toleration`, so it goes into a pod spec unchanged.
 */
export type Toleration = t.TypeOf<typeof Toleration>;

/**
 * Decodes one node label test of the platform configuration (e.g. how to keep GPU tasks off partitioned
 * devices).
 */
export const NodeSelectorRequirement = struct(
  'NodeSelectorRequirement',
  { key: t.string, operator: NodeSelectorOperator },
  { values: strings },
  'A node label (or field) test: key, operator and values.',
);
/** A decoded node label test, assignable to kubernetes-types' `NodeSelectorRequirement`. */
export type NodeSelectorRequirement = t.TypeOf<typeof NodeSelectorRequirement>;

/** Decodes a set of node tests that must all hold. */
export const NodeSelectorTerm = struct(
  'NodeSelectorTerm',
  {},
  { matchExpressions: t.array(NodeSelectorRequirement), matchFields: t.array(NodeSelectorRequirement) },
  'Node requirements that must all hold (ANDed).',
);

/** Decodes alternative node selector terms, of which any may match. */
export const NodeSelector = struct(
  'NodeSelector',
  { nodeSelectorTerms: t.array(NodeSelectorTerm) },
  {},
  'Alternative node selector terms, any of which may match (ORed).',
);

/** Decodes a weighted node preference: the scheduler adds the weight to nodes that match. */
export const PreferredSchedulingTerm = struct(
  'PreferredSchedulingTerm',
  { weight: Weight, preference: NodeSelectorTerm },
  {},
  'A weighted node preference.',
);

/** Decodes node affinity: hard requirements and weighted preferences on the nodes a pod may use. */
export const NodeAffinity = struct(
  'NodeAffinity',
  {},
  {
    requiredDuringSchedulingIgnoredDuringExecution: NodeSelector,
    preferredDuringSchedulingIgnoredDuringExecution: t.array(PreferredSchedulingTerm),
  },
  'Node affinity scheduling rules.',
);

/** Decodes one label test of a pod affinity term. */
export const LabelSelectorRequirement = struct(
  'LabelSelectorRequirement',
  { key: t.string, operator: LabelSelectorOperator },
  { values: strings },
  'A label test: key, operator and values.',
);

/** Decodes the pods a pod affinity term refers to. */
export const LabelSelector = struct(
  'LabelSelector',
  {},
  { matchLabels: StringMap, matchExpressions: t.array(LabelSelectorRequirement) },
  'A label query; all of its labels and expressions must match.',
);

/**
 * Decodes which pods to be near (or away from), and what "near" means (`topologyKey`: same node, zone, ...).
 */
export const PodAffinityTerm = struct(
  'PodAffinityTerm',
  { topologyKey: t.string },
  {
    labelSelector: LabelSelector,
    namespaces: strings,
    namespaceSelector: LabelSelector,
    matchLabelKeys: strings,
    mismatchLabelKeys: strings,
  },
  'Pods to be (or not be) co-located with, within a topology domain.',
);

/** Decodes a weighted pod affinity preference. */
export const WeightedPodAffinityTerm = struct(
  'WeightedPodAffinityTerm',
  { weight: Weight, podAffinityTerm: PodAffinityTerm },
  {},
  'A weighted pod (anti-)affinity preference.',
);

const podAffinityProps = {
  requiredDuringSchedulingIgnoredDuringExecution: t.array(PodAffinityTerm),
  preferredDuringSchedulingIgnoredDuringExecution: t.array(WeightedPodAffinityTerm),
};

/** Decodes rules that pull a pod towards other pods (e.g. the workers of one job into one zone). */
export const PodAffinity = struct('PodAffinity', {}, podAffinityProps, 'Pod affinity scheduling rules.');

/** Decodes rules that push a pod away from other pods (e.g. to spread replicas over nodes). */
export const PodAntiAffinity = struct(
  'PodAntiAffinity',
  {},
  podAffinityProps,
  'Pod anti-affinity scheduling rules.',
);

/**
 * Decodes the affinity of the platform configuration's default pod settings, with node, pod and anti-pod
 * rules.
 */
export const Affinity = struct(
  'Affinity',
  {},
  { nodeAffinity: NodeAffinity, podAffinity: PodAffinity, podAntiAffinity: PodAntiAffinity },
  'Node affinity, pod affinity and pod anti-affinity scheduling rules.',
);
/** A decoded affinity, assignable to kubernetes-types' `Affinity`, so it goes into a pod spec unchanged. */
export type Affinity = t.TypeOf<typeof Affinity>;
