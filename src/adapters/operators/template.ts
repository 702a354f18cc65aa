// Pod templates of custom resources as the simulated operators read them: string maps, annotations, run durations.
import * as O from 'fp-ts/lib/Option.js';
import { isPlainObject } from '../../domain/codec.js';
import { parseDuration, type Duration } from '../../domain/time.js';
import { SCENARIO_ANNOTATION } from '../kubelet/scenarios.js';
import { SCENARIO_ROLE_ANNOTATION } from './operator.js';

/** The string-valued entries of a JSON object (labels, annotations, a node selector); `{}` for anything else. */
export const stringMap = (u: unknown): Record<string, string> =>
  isPlainObject(u)
    ? Object.fromEntries(Object.entries(u).filter((e): e is [string, string] => typeof e[1] === 'string'))
    : {};

/**
 * A template's string annotations without the scenario. The execution's annotations reach the pod templates (the
 * plugin copies them for the watch cache), scenario included: only scenarioAnnotations decides which role's pods
 * get the scenario.
 */
export const withoutScenario = (annotations: unknown): Record<string, string> =>
  Object.fromEntries(
    Object.entries(stringMap(annotations)).filter(
      ([k]) => k !== SCENARIO_ANNOTATION && k !== SCENARIO_ROLE_ANNOTATION,
    ),
  );

/** A duration annotation (`kubetasks.dev/run-duration: 90s`), or `fallback` when it is absent or unreadable. */
export const annotationDuration = (
  annotations: Readonly<Record<string, string>>,
  key: string,
  fallback: Duration,
): Duration => {
  const v = annotations[key];
  return v === undefined ? fallback : O.getOrElse(() => fallback)(parseDuration(v));
};
