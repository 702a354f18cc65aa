// The batch-job task payload (task.custom): the Job spec's retry and completion knobs, decoded like protobuf JSON.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { oneOf, struct, type PathSegment } from '../../domain/codec.js';
import { qualifiedNameError } from '../../domain/names.js';
import { badTaskSpecification, type BuildError } from '../../domain/plugin.js';
import { decodePayload, message, writtenPath } from '../crd/index.js';
// Protobuf JSON reads null as "not set", as Kubernetes does: the pod builder's stripNulls serves both (in lists too).
import { stripNulls } from '../pod/build/json.js';

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type PodFailurePolicyAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

export interface OnExitCodes {
  readonly containerName?: string;
  readonly operator: 'In' | 'NotIn';
  readonly values: ReadonlyArray<number>;
}

export interface OnPodCondition {
  readonly type: string;
  /** Defaults to True, as in the API. */
  readonly status?: 'True' | 'False' | 'Unknown';
}

export interface PodFailurePolicyRule {
  readonly action: PodFailurePolicyAction;
  readonly onExitCodes?: OnExitCodes;
  readonly onPodConditions?: ReadonlyArray<OnPodCondition>;
}

export interface PodFailurePolicy {
  readonly rules: ReadonlyArray<PodFailurePolicyRule>;
}

export interface SuccessPolicyRule {
  readonly succeededIndexes?: string;
  readonly succeededCount?: number;
}

export interface SuccessPolicy {
  readonly rules: ReadonlyArray<SuccessPolicyRule>;
}

export type CompletionMode = 'NonIndexed' | 'Indexed';
export type PodReplacementPolicy = 'TerminatingOrFailed' | 'Failed';

/** The payload, with lowerCamel names whatever the task file used. Every field is optional. */
export interface JobPayload {
  readonly backoffLimit?: number;
  readonly backoffLimitPerIndex?: number;
  readonly maxFailedIndexes?: number;
  readonly podFailurePolicy?: PodFailurePolicy;
  readonly activeDeadlineSeconds?: number;
  readonly ttlSecondsAfterFinished?: number;
  readonly completions?: number;
  readonly parallelism?: number;
  readonly completionMode?: CompletionMode;
  readonly successPolicy?: SuccessPolicy;
  readonly podReplacementPolicy?: PodReplacementPolicy;
}

// -------------------------------------------------------------------------------------
// limits the API server enforces (k8s.io/kubernetes pkg/apis/batch/validation)
// -------------------------------------------------------------------------------------

export const MAX_INT32 = 2147483647;
/** Indexed Jobs: completions and parallelism at most 10^5. */
export const MAX_INDEXED_COMPLETIONS = 100000;
export const MAX_POD_FAILURE_POLICY_RULES = 20;
export const MAX_POD_CONDITION_PATTERNS = 20;
export const MAX_EXIT_CODE_VALUES = 255;
export const MAX_SUCCESS_POLICY_RULES = 20;

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

const intIn = (name: string, min: number, max: number, expected: string): t.Type<number, number> =>
  new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= min && u <= max,
    (u, c) =>
      typeof u === 'number' && Number.isSafeInteger(u) && u >= min && u <= max
        ? t.success(u)
        : t.failure(u, c, expected),
    (a) => a,
  );

/** int32 fields of the Job spec that accept 0. */
export const NonNegativeInt32 = intIn(
  'NonNegativeInt32',
  0,
  MAX_INT32,
  'a whole number from 0 to 2147483647',
);
/** int32 fields that must be at least 1. */
export const PositiveInt32 = intIn('PositiveInt32', 1, MAX_INT32, 'a whole number from 1 to 2147483647');
/** activeDeadlineSeconds is an int64 of at least 1; JSON numbers stay safe integers. */
const PositiveSeconds = intIn(
  'PositiveSeconds',
  1,
  Number.MAX_SAFE_INTEGER,
  'a whole number of seconds, at least 1',
);
const ExitCode = intIn('ExitCode', 0, 255, 'an exit code from 0 to 255');

/**
 * A record of the Job API: in a task's payload a protobuf-JSON message (both spellings of each field, the required
 * ones checked as such); in the platform config a strict struct of Kubernetes' own field names.
 */
const fields = (name: string, required: t.Props, optional: t.Props, aliases: boolean): t.Mixed =>
  aliases
    ? message(name, { ...required, ...optional }, Object.keys(required))
    : struct(name, required, optional);

const codecs = (aliases: boolean) => {
  const OnExitCodesC = fields(
    'PodFailurePolicyOnExitCodesRequirement',
    {
      operator: oneOf('PodFailurePolicyOnExitCodesOperator', ['In', 'NotIn']),
      values: t.readonlyArray(ExitCode),
    },
    { containerName: t.string },
    aliases,
  );
  const OnPodConditionC = fields(
    'PodFailurePolicyOnPodConditionsPattern',
    { type: t.string },
    { status: oneOf('ConditionStatus', ['True', 'False', 'Unknown']) },
    aliases,
  );
  const RuleC = fields(
    'PodFailurePolicyRule',
    { action: oneOf('PodFailurePolicyAction', ['FailJob', 'FailIndex', 'Ignore', 'Count']) },
    { onExitCodes: OnExitCodesC, onPodConditions: t.readonlyArray(OnPodConditionC) },
    aliases,
  );
  const PodFailurePolicyC = fields('PodFailurePolicy', { rules: t.readonlyArray(RuleC) }, {}, aliases);
  const SuccessPolicyRuleC = fields(
    'SuccessPolicyRule',
    {},
    { succeededIndexes: t.string, succeededCount: NonNegativeInt32 },
    aliases,
  );
  const SuccessPolicyC = fields('SuccessPolicy', { rules: t.readonlyArray(SuccessPolicyRuleC) }, {}, aliases);
  const PayloadC = fields(
    'BatchJob',
    {},
    {
      backoffLimit: NonNegativeInt32,
      backoffLimitPerIndex: NonNegativeInt32,
      maxFailedIndexes: NonNegativeInt32,
      podFailurePolicy: PodFailurePolicyC,
      activeDeadlineSeconds: PositiveSeconds,
      ttlSecondsAfterFinished: NonNegativeInt32,
      completions: PositiveInt32,
      parallelism: PositiveInt32,
      completionMode: oneOf('CompletionMode', ['NonIndexed', 'Indexed']),
      successPolicy: SuccessPolicyC,
      podReplacementPolicy: oneOf('PodReplacementPolicy', ['TerminatingOrFailed', 'Failed']),
    },
    aliases,
  );
  return { PodFailurePolicyC, PayloadC };
};

/** The pod failure policy as the platform config writes it: Kubernetes' own field names only. */
export const PodFailurePolicyConfigC = codecs(false).PodFailurePolicyC as unknown as t.Type<
  PodFailurePolicy,
  PodFailurePolicy
>;

const { PayloadC } = codecs(true);

const problem = (message: string, path: ReadonlyArray<PathSegment>): E.Either<BuildError, never> =>
  E.left(badTaskSpecification(message, path));

// -------------------------------------------------------------------------------------
// semantic checks the API server would make (a rejected create fails later and less clearly)
// -------------------------------------------------------------------------------------

/** Parses Kubernetes' interval list `1,3-5,7` (ascending, non-overlapping); undefined when malformed. */
export const parseIndexes = (s: string): ReadonlyArray<readonly [number, number]> | undefined => {
  if (s === '') return [];
  const out: Array<readonly [number, number]> = [];
  let last = -1;
  for (const part of s.split(',')) {
    const m = /^(\d{1,9})(?:-(\d{1,9}))?$/.exec(part);
    if (m === null) return undefined;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from || from <= last) return undefined;
    out.push([from, to]);
    last = to;
  }
  return out;
};

const countIndexes = (ranges: ReadonlyArray<readonly [number, number]>): number =>
  ranges.reduce((n, [a, b]) => n + b - a + 1, 0);

const check = (p: JobPayload, path: (logical: ReadonlyArray<PathSegment>) => ReadonlyArray<PathSegment>) => {
  const indexed = p.completionMode === 'Indexed';
  const fail = (message: string, logical: ReadonlyArray<PathSegment>) => problem(message, path(logical));
  if (indexed && p.completions === undefined) {
    return fail('completions is required when completionMode is Indexed', ['completionMode']);
  }
  if (indexed && (p.completions ?? 0) > MAX_INDEXED_COMPLETIONS) {
    return fail(`an Indexed Job has at most ${MAX_INDEXED_COMPLETIONS} completions`, ['completions']);
  }
  if (indexed && (p.parallelism ?? 0) > MAX_INDEXED_COMPLETIONS) {
    return fail(`an Indexed Job has a parallelism of at most ${MAX_INDEXED_COMPLETIONS}`, ['parallelism']);
  }
  if (p.backoffLimitPerIndex !== undefined && !indexed) {
    return fail('backoffLimitPerIndex needs completionMode: Indexed', ['backoffLimitPerIndex']);
  }
  if (p.maxFailedIndexes !== undefined) {
    if (p.backoffLimitPerIndex === undefined) {
      return fail('maxFailedIndexes needs backoffLimitPerIndex', ['maxFailedIndexes']);
    }
    if (p.maxFailedIndexes > (p.completions ?? 0)) {
      return fail(`maxFailedIndexes must not exceed completions (${p.completions ?? 0})`, [
        'maxFailedIndexes',
      ]);
    }
  }
  if (p.successPolicy !== undefined) {
    if (!indexed) return fail('successPolicy needs completionMode: Indexed', ['successPolicy']);
    const rules = p.successPolicy.rules;
    if (rules.length === 0 || rules.length > MAX_SUCCESS_POLICY_RULES) {
      return fail(`successPolicy needs 1 to ${MAX_SUCCESS_POLICY_RULES} rules`, ['successPolicy', 'rules']);
    }
    for (const [i, r] of rules.entries()) {
      const at = ['successPolicy', 'rules', i];
      if (r.succeededIndexes === undefined && r.succeededCount === undefined) {
        return fail('a success rule needs succeededIndexes, succeededCount or both', at);
      }
      let size = p.completions ?? 0;
      if (r.succeededIndexes !== undefined) {
        const ranges = parseIndexes(r.succeededIndexes);
        if (ranges === undefined) {
          return fail('expected ascending, non-overlapping indexes such as "0,2-4,7"', [
            ...at,
            'succeededIndexes',
          ]);
        }
        const last = ranges[ranges.length - 1];
        if (last !== undefined && last[1] >= (p.completions ?? 0)) {
          return fail(`indexes go from 0 to completions - 1 (${(p.completions ?? 0) - 1})`, [
            ...at,
            'succeededIndexes',
          ]);
        }
        size = countIndexes(ranges);
      }
      if (r.succeededCount !== undefined && (r.succeededCount < 1 || r.succeededCount > size)) {
        return fail(`succeededCount must be from 1 to ${size}`, [...at, 'succeededCount']);
      }
    }
  }
  if (p.podFailurePolicy !== undefined) {
    const r = checkPodFailurePolicy(p.podFailurePolicy, p.backoffLimitPerIndex !== undefined, [
      'podFailurePolicy',
    ]);
    if (r !== undefined) return fail(r.message, r.at);
    if (p.podReplacementPolicy === 'TerminatingOrFailed') {
      return fail('a Job with a podFailurePolicy needs podReplacementPolicy: Failed', [
        'podReplacementPolicy',
      ]);
    }
  }
  return E.right(p);
};

/** Why a pod failure policy would be rejected (with its path below `at`), or undefined. */
export const checkPodFailurePolicy = (
  policy: PodFailurePolicy,
  perIndex: boolean,
  at: ReadonlyArray<PathSegment>,
): { readonly message: string; readonly at: ReadonlyArray<PathSegment> } | undefined => {
  if (policy.rules.length > MAX_POD_FAILURE_POLICY_RULES) {
    return { message: `at most ${MAX_POD_FAILURE_POLICY_RULES} rules`, at: [...at, 'rules'] };
  }
  for (const [i, rule] of policy.rules.entries()) {
    const here = [...at, 'rules', i];
    if ((rule.onExitCodes === undefined) === (rule.onPodConditions === undefined)) {
      return { message: 'a rule needs exactly one of onExitCodes and onPodConditions', at: here };
    }
    if (rule.action === 'FailIndex' && !perIndex) {
      return { message: 'the FailIndex action needs backoffLimitPerIndex', at: [...here, 'action'] };
    }
    const codes = rule.onExitCodes;
    if (codes !== undefined) {
      if (codes.values.length === 0 || codes.values.length > MAX_EXIT_CODE_VALUES) {
        return { message: `1 to ${MAX_EXIT_CODE_VALUES} exit codes`, at: [...here, 'onExitCodes', 'values'] };
      }
      if (codes.operator === 'In' && codes.values.includes(0)) {
        return { message: 'the In operator cannot list exit code 0', at: [...here, 'onExitCodes', 'values'] };
      }
    }
    const patterns = rule.onPodConditions;
    if (patterns !== undefined) {
      if (patterns.length === 0 || patterns.length > MAX_POD_CONDITION_PATTERNS) {
        return {
          message: `1 to ${MAX_POD_CONDITION_PATTERNS} condition patterns`,
          at: [...here, 'onPodConditions'],
        };
      }
      for (const [j, pattern] of patterns.entries()) {
        const e = qualifiedNameError(pattern.type);
        if (e !== undefined) {
          return { message: `condition type: ${e}`, at: [...here, 'onPodConditions', j, 'type'] };
        }
      }
    }
  }
  return undefined;
};

/** Exit codes ascending and without repeats, as the API server requires; a condition pattern's status defaults to True. */
export const normalisePodFailurePolicy = (policy: PodFailurePolicy): PodFailurePolicy => ({
  rules: policy.rules.map((r) => ({
    action: r.action,
    ...(r.onExitCodes === undefined
      ? {}
      : {
          onExitCodes: {
            ...(r.onExitCodes.containerName === undefined
              ? {}
              : { containerName: r.onExitCodes.containerName }),
            operator: r.onExitCodes.operator,
            values: [...new Set(r.onExitCodes.values)].sort((a, b) => a - b),
          },
        }),
    ...(r.onPodConditions === undefined
      ? {}
      : { onPodConditions: r.onPodConditions.map((c) => ({ type: c.type, status: c.status ?? 'True' })) }),
  })),
});

// -------------------------------------------------------------------------------------
// decoding
// -------------------------------------------------------------------------------------

/**
 * Decodes task.custom (absent = every default). Both the lowerCamel and the proto name of each field are accepted;
 * unknown fields, bad values and combinations the API server would reject are BadTaskSpecification errors naming
 * the path inside the task file, as the author spelled it.
 */
export const decodeJobPayload = (custom: unknown): E.Either<BuildError, JobPayload> => {
  if (custom === undefined) return E.right({});
  const stripped = stripNulls(custom);
  return pipe(
    decodePayload(PayloadC)(stripped),
    E.flatMap((payload) => check(payload as JobPayload, (logical) => writtenPath(stripped, logical))),
  );
};
