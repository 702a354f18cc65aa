// `kubetasks explain`: map a resource file (kubectl get -o json|yaml) to its PhaseInfo and print why.
import { Command } from '@commander-js/extra-typings';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as O from 'fp-ts/lib/Option.js';
import { loadPlatformConfig } from '../app/inputs.js';
import { parseSource } from '../app/source.js';
import { isPlainObject } from '../domain/codec.js';
import { gvkKey, type GroupVersionKind } from '../domain/kubernetes.js';
import { toJson, type PhaseInfo } from '../domain/phase-info.js';
import { defaultPlatformConfig, type PlatformConfig } from '../domain/platform-config.js';
import type { PhaseContext } from '../domain/plugin.js';
import { formatInstantMillis, parseInstant, type Instant } from '../domain/time.js';
import { explainPodTaskPhase, type Explanation } from '../plugins/pod/phase/classify.js';
import { attachEvents, eventsRegarding, regardingOf } from '../domain/events.js';
import { CliExit, ExitCode, loadOrExit, parseOutputFormat, printDocument } from './io.js';

// -------------------------------------------------------------------------------------
// the plugins explain knows
// -------------------------------------------------------------------------------------

export interface Explainer {
  readonly id: string;
  readonly watches: GroupVersionKind;
  readonly explain: (ctx: PhaseContext, resource: unknown) => Explanation;
}

export const explainers: ReadonlyArray<Explainer> = [
  { id: 'pod', watches: { apiVersion: 'v1', kind: 'Pod' }, explain: explainPodTaskPhase },
];

const known = (): string => explainers.map((e) => `${e.id} (${gvkKey(e.watches)})`).join(', ');

const pickExplainer = (
  file: string,
  resource: Readonly<Record<string, unknown>>,
  id: string | undefined,
): Explainer => {
  if (id !== undefined) {
    const byId = explainers.find((e) => e.id === id);
    if (byId === undefined) {
      throw new CliExit(ExitCode.badInput, [`--plugin: unknown plugin "${id}"; known: ${known()}`]);
    }
    return byId;
  }
  const apiVersion = resource['apiVersion'];
  const kind = resource['kind'];
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '') {
    throw new CliExit(ExitCode.badInput, [
      `${file}: the resource has no apiVersion and kind; pass --plugin to say how to read it (known: ${known()})`,
    ]);
  }
  const match = explainers.find((e) => e.watches.apiVersion === apiVersion && e.watches.kind === kind);
  if (match === undefined) {
    throw new CliExit(ExitCode.badInput, [
      `${file}: no plugin watches ${apiVersion}/${kind} (known: ${known()}); pass --plugin to force one`,
    ]);
  }
  return match;
};

// -------------------------------------------------------------------------------------
// input
// -------------------------------------------------------------------------------------

interface Input {
  readonly resource: Readonly<Record<string, unknown>>;
  /** Events found next to the resource in a `kind: List`. */
  readonly events: ReadonlyArray<unknown>;
}

const isEvent = (u: unknown): boolean => isPlainObject(u) && u['kind'] === 'Event';

/** A resource, or a List holding one resource and maybe its Events (`kubectl get pod/x events -o json`). */
const readInput = (file: string, value: unknown): Input => {
  if (!isPlainObject(value)) {
    const what = value === null ? 'an empty document' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
    throw new CliExit(ExitCode.badInput, [
      `${file}: expected a Kubernetes resource (an object), got ${what}`,
    ]);
  }
  const items = value['items'];
  const isList = typeof value['kind'] === 'string' && value['kind'].endsWith('List') && Array.isArray(items);
  if (!isList) return { resource: value, events: [] };
  const all = items as ReadonlyArray<unknown>;
  const others = all.filter((i) => !isEvent(i));
  const [only] = others;
  if (others.length !== 1 || !isPlainObject(only)) {
    throw new CliExit(ExitCode.badInput, [
      `${file}: a ${String(value['kind'])} must hold exactly one resource to explain besides Events, found ${others.length}`,
    ]);
  }
  return { resource: only, events: all.filter(isEvent) };
};

const parseNow = (s: string | undefined): Instant => {
  if (s === undefined) return Date.now();
  const parsed = parseInstant(s);
  if (O.isNone(parsed)) {
    throw new CliExit(ExitCode.badInput, [
      `--now: expected an RFC 3339 time such as 2026-03-02T10:00:00Z, got "${s}"`,
    ]);
  }
  return parsed.value;
};

// -------------------------------------------------------------------------------------
// output
// -------------------------------------------------------------------------------------

const indent = (text: string, pad: string): string =>
  text
    .split(/\r?\n/u)
    .map((l, i) => (i === 0 ? l : `${pad}${l}`))
    .join('\n');

const renderText = (pi: PhaseInfo, trace: ReadonlyArray<string>): string => {
  const pad = ' '.repeat(12);
  const lines = [
    `phase:      ${pi.phase}`,
    `version:    ${pi.version}`,
    `reason:     ${pi.reason === '' ? '(none)' : indent(pi.reason, pad)}`,
  ];
  if (pi.error !== undefined) {
    lines.push(
      `error:      ${pi.error.kind} ${pi.error.code}`,
      `message:    ${indent(pi.error.message, pad)}`,
    );
  }
  lines.push(`cleanup:    ${pi.cleanupOnFailure ? 'yes (the resource is deleted on failure)' : 'no'}`);
  for (const l of pi.info.logs) lines.push(`log:        ${l.name}: ${l.uri}`);
  for (const r of pi.info.additionalReasons) {
    const at = r.occurredAt === undefined ? '' : `${formatInstantMillis(r.occurredAt)} `;
    const ev =
      r.kubernetesEvent === undefined ? '' : `${r.kubernetesEvent.type} ${r.kubernetesEvent.reason}: `;
    lines.push(`event:      ${at}${ev}${r.reason}`);
  }
  lines.push('why:', ...trace.map((t) => `  - ${indent(t, '    ')}`));
  return `${lines.join('\n')}\n`;
};

// -------------------------------------------------------------------------------------
// the command
// -------------------------------------------------------------------------------------

export const explainCommand = () =>
  new Command('explain')
    .description(
      'Print the PhaseInfo of a resource and why: the evidence and the decision-table rows that fired',
    )
    .argument(
      '<resource-file>',
      'the resource as JSON or YAML (kubectl get pod NAME -o json); - for standard input',
    )
    .option('--now <time>', 'observation time, RFC 3339 (default: the current time)')
    .option('-c, --config <file>', 'platform config (default: the built-in defaults)')
    .option('--plugin <id>', 'the plugin that reads the resource (default: chosen by apiVersion and kind)')
    .option('-o, --output <format>', 'text, json or yaml', 'text')
    .action((file, opts) => {
      const format = parseOutputFormat(opts.output, ['text', 'json', 'yaml']);
      const now = parseNow(opts.now);
      const config: PlatformConfig =
        opts.config === undefined ? defaultPlatformConfig : loadOrExit(opts.config, loadPlatformConfig);
      const value = loadOrExit(file, (name, text) =>
        pipe(
          parseSource(name, text),
          E.map((doc) => doc.value),
        ),
      );
      const shown = file === '-' ? '<stdin>' : file;
      const { resource, events } = readInput(shown, value);
      const explainer = pickExplainer(shown, resource, opts.plugin);
      const explained = explainer.explain({ now, config }, resource);
      let phaseInfo = explained.phaseInfo;
      const trace = [...explained.trace];
      const regarding = regardingOf(resource);
      if (events.length > 0 && O.isSome(regarding)) {
        if (config.plugins.k8s['send-object-events']) {
          const filter = { regarding: regarding.value };
          phaseInfo = attachEvents(phaseInfo, events, undefined, filter);
          trace.push(
            `attached ${eventsRegarding(events, filter).length} of ${events.length} events (those about this object)`,
          );
        } else {
          trace.push(`${events.length} events not attached: send-object-events is off`);
        }
      }
      if (format === 'json' || format === 'yaml') {
        printDocument(
          { ...toJson(phaseInfo), plugin: explainer.id, rows: explained.rows, why: trace },
          format,
        );
      } else {
        process.stdout.write(renderText(phaseInfo, trace));
      }
    });
