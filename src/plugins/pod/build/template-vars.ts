// The command/args template engine (spec 3.10): {{ .Input }}, {{ .OutputPrefix }}, {{ .Inputs.name }} and friends.
import * as E from 'fp-ts/lib/Either.js';
import type { PathSegment } from '../../../domain/codec.js';
import { buildError, type BuildError } from '../../../domain/plugin.js';
import { generatedName, type TaskExecution } from '../../../domain/task.js';
import { isRecord } from './json.js';

/** What `{{ .TaskTemplatePath }}` renders to: the task template travels inline with the execution, as in Flyte v2. */
export const TASK_TEMPLATE_PATH = 'inline://taskTemplate';

/** The value of one variable, or why it has none (then a reference to it is a BuildError). */
type Value = E.Either<string, string>;

export interface TemplateValues {
  /** Lower-cased variable name → value. */
  readonly variables: ReadonlyMap<string, Value>;
  /** Execution inputs, for `{{ .Inputs.<name> }}`; undefined when the execution has none. */
  readonly inputs: Readonly<Record<string, unknown>> | undefined;
}

const trimSlashes = (s: string): string => s.replace(/\/+$/, '');

const namespacePattern = /\{\{\s*[.$]namespace\s*\}\}/gi;

/**
 * Flyte's per-retry key: the generated name with a leading run of characters outside [A-Za-z_] replaced by one "a",
 * then every run of characters outside [A-Za-z0-9_] by one "_".
 */
export const perRetryUniqueKey = (name: string): string =>
  name.replace(/^[^A-Za-z_]+/, 'a').replace(/[^A-Za-z0-9_]+/g, '_');

/** The variables of a task execution. Paths in `execution.io` may themselves contain `{{ .Namespace }}`. */
export const templateValues = (te: TaskExecution): TemplateValues => {
  const namespace = te.execution.namespace;
  const io = te.execution.io ?? {};
  const path = (v: string | undefined, key: string): Value =>
    v === undefined || v === ''
      ? E.left(`execution.io.${key} is not set`)
      : E.right(v.replace(namespacePattern, () => namespace));
  const inputPrefix = E.map(trimSlashes)(path(io.inputPrefix, 'inputPrefix'));
  const outputPrefix = path(io.outputPrefix, 'outputPrefix');
  const rawOutputPrefix =
    io.rawOutputPrefix === undefined || io.rawOutputPrefix === ''
      ? E.mapLeft(() => 'execution.io.rawOutputPrefix (or outputPrefix) is not set')(outputPrefix)
      : path(io.rawOutputPrefix, 'rawOutputPrefix');
  const checkpointPrefix =
    io.checkpointPrefix === undefined || io.checkpointPrefix === ''
      ? E.bimap(
          () => 'execution.io.checkpointPrefix (or rawOutputPrefix) is not set',
          (raw: string) => `${trimSlashes(raw)}/_flytecheckpoints`,
        )(rawOutputPrefix)
      : path(io.checkpointPrefix, 'checkpointPrefix');
  const previous = io.previousCheckpointPrefix;
  const variables = new Map<string, Value>([
    ['input', E.map((p: string) => `${p}/inputs.pb`)(inputPrefix)],
    ['inputprefix', inputPrefix],
    ['outputprefix', outputPrefix],
    ['rawoutputdataprefix', rawOutputPrefix],
    // Flyte renders an empty previous checkpoint as the two characters "" so the argument is never dropped.
    [
      'prevcheckpointprefix',
      E.right(
        previous === undefined || previous === ''
          ? '""'
          : previous.replace(namespacePattern, () => namespace),
      ),
    ],
    ['checkpointoutputprefix', checkpointPrefix],
    ['perretryuniquekey', E.right(perRetryUniqueKey(generatedName(te)))],
    ['tasktemplatepath', E.right(TASK_TEMPLATE_PATH)],
    ['namespace', E.right(namespace)],
  ]);
  return { variables, inputs: te.execution.inputs };
};

/** How an input value prints: scalars as written, lists as `[a,b]` (no spaces), as Flyte prints literals. */
export const serializeInput = (u: unknown): E.Either<string, string> => {
  if (typeof u === 'string') return E.right(u);
  if (typeof u === 'number')
    return Number.isFinite(u) ? E.right(String(u)) : E.left('is not a finite number');
  if (typeof u === 'boolean') return E.right(u ? 'true' : 'false');
  if (Array.isArray(u)) {
    const parts: string[] = [];
    for (const item of u as ReadonlyArray<unknown>) {
      const s = serializeInput(item);
      if (E.isLeft(s)) return s;
      parts.push(s.right);
    }
    return E.right(`[${parts.join(',')}]`);
  }
  if (u === null || u === undefined) return E.left('has no value');
  return E.left(
    isRecord(u)
      ? 'is an object; only strings, numbers, booleans and lists of them can be substituted'
      : 'cannot be substituted',
  );
};

// `{{ <ws> [.$]Name <ws> }}` or `{{ .Inputs.<name> }}`, names matched without regard to case.
const reference = /\{\{\s*[.$]([A-Za-z]+)(?:\.([^}\s]+))?\s*\}\}/g;

/**
 * Renders one string in a single pass: every reference is replaced by its value, and substituted text is never
 * scanned again (so an input value containing "{{ .Input }}" stays as written). Unknown variables and malformed
 * references are left verbatim, as Flyte leaves them. A known variable without a value is an error.
 */
export const renderString = (s: string, values: TemplateValues): E.Either<string, string> => {
  let error: string | undefined;
  const out = s.replace(reference, (whole, name: string, inputName: string | undefined) => {
    if (error !== undefined) return whole;
    const key = name.toLowerCase();
    if (inputName !== undefined) {
      if (key !== 'inputs') return whole;
      const inputs = values.inputs;
      if (inputs === undefined || !Object.hasOwn(inputs, inputName)) {
        error = `${whole} refers to input "${inputName}", which execution.inputs does not have`;
        return whole;
      }
      const v = serializeInput(inputs[inputName]);
      if (E.isLeft(v)) {
        error = `${whole}: input "${inputName}" ${v.left}`;
        return whole;
      }
      return v.right;
    }
    const value = values.variables.get(key);
    if (value === undefined) return whole;
    if (E.isLeft(value)) {
      error = `${whole} needs a value, but ${value.left}`;
      return whole;
    }
    return value.right;
  });
  return error === undefined ? E.right(out) : E.left(error);
};

/** Renders a command or args list; an error names the list item. */
export const renderList = (
  list: ReadonlyArray<string> | undefined,
  values: TemplateValues,
  path: ReadonlyArray<PathSegment>,
): E.Either<BuildError, ReadonlyArray<string> | undefined> => {
  if (list === undefined) return E.right(undefined);
  const out: string[] = [];
  for (const [i, s] of list.entries()) {
    const r = renderString(s, values);
    if (E.isLeft(r)) return E.left(buildError('BadTaskSpecification', r.left, [...path, i]));
    out.push(r.right);
  }
  return E.right(out);
};
