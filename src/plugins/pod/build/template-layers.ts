// The template layers under a pod: the base PodTemplate, then the accelerator device class's, each checked and merged.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { renderPath } from '../../../domain/codec.js';
import type { Container, PodSpec } from '../../../domain/kubernetes.js';
import { annotationsError, labelsError } from '../../../domain/object-metadata.js';
import { buildError, type BuildContext, type BuildError } from '../../../domain/plugin.js';
import type { AcceleratorSettings } from './accelerators.js';
import { setOptional } from './json.js';
import { baseTemplate, mergeSpecUnder, templateLabel } from './pod-templates.js';
import type { RawPod } from './raw-pod.js';
import { convertGpuKey, resourceProblem } from './resources.js';
import { explicitViolations } from './security.js';
import { checkPodSpec, issueMessage } from './spec-check.js';

/** One template layer: its spec and metadata as written, and how errors name it. */
interface TemplateSource {
  readonly label: string;
  readonly spec: unknown;
  readonly labels?: unknown;
  readonly annotations?: unknown;
}

const asStringMap = (u: unknown): Readonly<Record<string, string>> | undefined =>
  typeof u === 'object' &&
  u !== null &&
  !Array.isArray(u) &&
  Object.values(u).every((v) => typeof v === 'string')
    ? (u as Readonly<Record<string, string>>)
    : undefined;

/** The template layers that apply, highest precedence first. */
const templateSources = (
  ctx: BuildContext,
  accelerator: AcceleratorSettings,
  withAccelerator: boolean,
): E.Either<BuildError, ReadonlyArray<TemplateSource>> => {
  const base = baseTemplate(ctx);
  if (E.isLeft(base)) return base;
  const out: TemplateSource[] = [];
  if (base.right !== undefined) {
    const tpl = base.right.template;
    out.push({
      label: templateLabel(base.right),
      spec: tpl.spec,
      labels: tpl.metadata?.labels,
      annotations: tpl.metadata?.annotations,
    });
  }
  const dc = accelerator.podTemplate;
  if (withAccelerator && dc !== undefined) {
    const meta = dc.metadata;
    out.push({
      label: 'the accelerator device class pod-template',
      spec: dc.spec,
      labels: meta?.['labels'],
      annotations: meta?.['annotations'],
    });
  }
  return E.right(out);
};

/** Every container's generic `gpu` resource as the accelerator's resource name, so sources merge by real names. */

/** Every container's generic `gpu` resource as the accelerator's resource name, so sources merge by real names. */
const convertSpecGpu = (spec: PodSpec, gpuName: string): PodSpec => {
  const convert = (c: Container): Container =>
    setOptional(c, 'resources', convertGpuKey(c.resources, gpuName));
  return {
    ...spec,
    ...(spec.containers === undefined ? {} : { containers: spec.containers.map(convert) }),
    ...(spec.initContainers === undefined ? {} : { initContainers: spec.initContainers.map(convert) }),
  };
};

/** Merges each template under the pod, highest-precedence template first (base, then device class). */

/** Merges each template under the pod, highest-precedence template first (base, then device class). */
const mergeTemplates = (
  ctx: BuildContext,
  raw: RawPod,
  templates: ReadonlyArray<TemplateSource>,
  gpuName: string,
): E.Either<BuildError, RawPod> => {
  let pod = raw;
  const profile = ctx.config.plugins.k8s['pod-security-standard'];
  for (const tpl of templates) {
    const fail = (message: string) => E.left(buildError('BadTaskSpecification', `${tpl.label}: ${message}`));
    const checked = checkPodSpec(tpl.spec, { requireContainers: false });
    if (E.isLeft(checked)) {
      const issue = checked.left[0];
      return fail(
        issue === undefined ? 'invalid spec' : `spec.${renderPath(issue.path)}: ${issueMessage(issue)}`,
      );
    }
    const spec = convertSpecGpu(checked.right, gpuName);
    for (const list of ['containers', 'initContainers'] as const) {
      for (const [i, c] of (spec[list] ?? []).entries()) {
        const problem = resourceProblem(c.resources);
        if (problem !== undefined)
          return fail(`spec.${list}[${i}].resources.${renderPath(problem.path)}: ${problem.message}`);
      }
    }
    const violation = explicitViolations(spec, profile)[0];
    if (violation !== undefined) {
      return E.left(
        buildError(
          'PodSecurityViolation',
          `${tpl.label}: spec.${renderPath(violation.path)}: ${violation.message}`,
        ),
      );
    }
    const labels = tpl.labels === undefined ? {} : asStringMap(tpl.labels);
    const annotations = tpl.annotations === undefined ? {} : asStringMap(tpl.annotations);
    if (labels === undefined || annotations === undefined)
      return fail('metadata labels and annotations must map names to strings');
    const metaError =
      labelsError(labels, ['metadata', 'labels']) ??
      annotationsError(annotations, ['metadata', 'annotations']);
    if (metaError !== undefined) return fail(`${renderPath(metaError.path ?? [])}: ${metaError.message}`);
    pod = {
      ...pod,
      labels: { ...labels, ...pod.labels },
      annotations: { ...annotations, ...pod.annotations },
      spec: mergeSpecUnder(spec, pod.spec, pod.primaryContainerName),
    };
  }
  return E.right(pod);
};

/**
 * The pod with its template layers merged under it: the base PodTemplate, then (for a task that asks for an
 * accelerator) the accelerator device class's pod template. Every `gpu` resource, the pod's and the templates',
 * is first renamed to `gpuName`, so the layers merge by real resource names. A template that is malformed, breaks
 * the Pod Security Standard or carries invalid metadata is an error that names it.
 */
export const underTemplates = (
  ctx: BuildContext,
  raw: RawPod,
  accelerator: AcceleratorSettings,
  withAccelerator: boolean,
  gpuName: string,
): E.Either<BuildError, RawPod> =>
  pipe(
    templateSources(ctx, accelerator, withAccelerator),
    E.flatMap((templates) =>
      mergeTemplates(ctx, { ...raw, spec: convertSpecGpu(raw.spec, gpuName) }, templates, gpuName),
    ),
  );
