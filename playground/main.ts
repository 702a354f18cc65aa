// The playground page: render task files and explain resources with the main entry, in plain DOM, no server.
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import {
  builtInRegistry,
  Explain,
  Inputs,
  PlatformConfig,
  PodBuild,
  Registry,
  Render,
  Source,
  Time,
} from '../src/index.js';

/** A file the build embeds (scripts/bundle.mjs): its name, its text, and for a resource the time to observe it at. */
interface ExampleFile {
  readonly file: string;
  readonly text: string;
  readonly now?: string;
}

/** Everything the page ships with: the repository's examples, embedded at build time. */
interface Examples {
  readonly tasks: ReadonlyArray<ExampleFile>;
  readonly configs: ReadonlyArray<ExampleFile>;
  readonly podTemplates: ReadonlyArray<ExampleFile>;
  readonly resources: ReadonlyArray<ExampleFile>;
}

declare const KUBETASKS_EXAMPLES: Examples;

const byId = <T extends HTMLElement>(id: string, type: new () => T): T => {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`the page has no #${id} of the expected type`);
  return el;
};

const ui = {
  configExample: byId('config-example', HTMLSelectElement),
  config: byId('config', HTMLTextAreaElement),
  configErrors: byId('config-errors', HTMLUListElement),
  taskExample: byId('task-example', HTMLSelectElement),
  task: byId('task', HTMLTextAreaElement),
  renderPlugin: byId('render-plugin', HTMLSpanElement),
  renderErrors: byId('render-errors', HTMLUListElement),
  withMetadata: byId('with-metadata', HTMLInputElement),
  renderOutput: byId('render-output', HTMLPreElement),
  resourceExample: byId('resource-example', HTMLSelectElement),
  now: byId('now', HTMLInputElement),
  resource: byId('resource', HTMLTextAreaElement),
  explainErrors: byId('explain-errors', HTMLUListElement),
  explainResult: byId('explain-result', HTMLDivElement),
  phase: byId('phase', HTMLSpanElement),
  explainPlugin: byId('explain-plugin', HTMLSpanElement),
  reason: byId('reason', HTMLElement),
  error: byId('error', HTMLElement),
  rows: byId('rows', HTMLOListElement),
  why: byId('why', HTMLUListElement),
  explainText: byId('explain-text', HTMLPreElement),
};

const examples = KUBETASKS_EXAMPLES;
const registryOrError = builtInRegistry();

// -------------------------------------------------------------------------------------
// errors: listed as the CLI prints them, and a click selects the place in the text
// -------------------------------------------------------------------------------------

/** The offset of a 1-based line and column in a text, for selecting an error's place. */
const offsetOf = (text: string, line: number, column: number): number => {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += (lines[i] ?? '').length + 1;
  return Math.min(text.length, offset + Math.max(0, column - 1));
};

const showErrors = (
  list: HTMLUListElement,
  errors: ReadonlyArray<Source.InputError>,
  source: HTMLTextAreaElement | undefined,
): void => {
  list.replaceChildren(
    ...errors.map((e) => {
      const li = document.createElement('li');
      li.textContent = Source.renderInputError(e);
      const at = e.position;
      if (at !== undefined && source !== undefined) {
        li.dataset['line'] = String(at.line);
        li.dataset['column'] = String(at.column);
        li.title = 'show it in the text';
        li.addEventListener('click', () => {
          const offset = offsetOf(source.value, at.line, at.column);
          source.focus();
          source.setSelectionRange(offset, offset + 1);
        });
      }
      return li;
    }),
  );
};

const listItems = (list: HTMLElement, items: ReadonlyArray<string>): void => {
  list.replaceChildren(
    ...items.map((text) => {
      const li = document.createElement('li');
      li.textContent = text;
      return li;
    }),
  );
};

// -------------------------------------------------------------------------------------
// the config, the template store
// -------------------------------------------------------------------------------------

const templateStore = PodBuild.templateStore(
  examples.podTemplates.flatMap((f) => {
    const r = Source.loadDocument(PodBuild.decodeKubePodTemplates)(f.file, f.text);
    return E.isRight(r) ? r.right : [];
  }),
);

/** The decoded platform config, or undefined while it has errors (they are shown beside it). */
const currentConfig = (): PlatformConfig.PlatformConfig | undefined => {
  const text = ui.config.value;
  if (text.trim() === '') {
    showErrors(ui.configErrors, [], undefined);
    return PlatformConfig.defaultPlatformConfig;
  }
  const file = ui.configExample.selectedOptions[0]?.dataset['file'] ?? 'platform.yaml';
  const r = Inputs.loadPlatformConfig(file, text);
  showErrors(ui.configErrors, E.isLeft(r) ? r.left : [], ui.config);
  return E.isLeft(r) ? undefined : r.right;
};

const configProblem: Source.InputError = {
  file: 'platform config',
  message: 'fix the platform config first (its errors are listed under it)',
};

// -------------------------------------------------------------------------------------
// render
// -------------------------------------------------------------------------------------

const render = (registry: Registry.Registry, config: PlatformConfig.PlatformConfig | undefined): void => {
  ui.renderPlugin.textContent = '';
  ui.renderOutput.textContent = '';
  if (config === undefined) {
    showErrors(ui.renderErrors, [configProblem], undefined);
    return;
  }
  const file = ui.taskExample.selectedOptions[0]?.dataset['file'] ?? 'task.yaml';
  const r = Render.renderTaskText(registry, config, file, ui.task.value, { podTemplates: templateStore });
  if (E.isLeft(r)) {
    showErrors(ui.renderErrors, r.left, ui.task);
    return;
  }
  showErrors(ui.renderErrors, r.right.warnings, ui.task);
  ui.renderPlugin.textContent = `plugin: ${Explain.showPlugin(r.right.plugin)}`;
  ui.renderOutput.textContent = Render.renderedText(r.right, 'yaml', ui.withMetadata.checked);
};

// -------------------------------------------------------------------------------------
// explain
// -------------------------------------------------------------------------------------

const explain = (registry: Registry.Registry, config: PlatformConfig.PlatformConfig | undefined): void => {
  ui.explainResult.hidden = true;
  if (config === undefined) {
    showErrors(ui.explainErrors, [configProblem], undefined);
    return;
  }
  const now = Time.parseInstant(ui.now.value.trim());
  if (O.isNone(now)) {
    showErrors(
      ui.explainErrors,
      [
        {
          file: 'observed at',
          message: `expected an RFC 3339 time such as 2026-03-02T10:00:00Z, got "${ui.now.value}"`,
        },
      ],
      undefined,
    );
    return;
  }
  const file = ui.resourceExample.selectedOptions[0]?.dataset['file'] ?? 'resource.json';
  const docs = Source.parseSourceStream(file, ui.resource.value);
  if (E.isLeft(docs)) {
    showErrors(ui.explainErrors, docs.left, ui.resource);
    return;
  }
  const r = Explain.explainResources(
    registry,
    { now: now.value, config },
    docs.right.map((d) => d.value),
  );
  if (E.isLeft(r)) {
    const { at, message } = r.left;
    const doc = at === undefined ? undefined : docs.right[at.document];
    const position = at === undefined ? undefined : doc?.locate(at.path);
    const where = at !== undefined && docs.right.length > 1 ? `document ${at.document + 1}: ` : '';
    showErrors(
      ui.explainErrors,
      [{ file, ...(position === undefined ? {} : { position }), message: `${where}${message}` }],
      ui.resource,
    );
    return;
  }
  showErrors(ui.explainErrors, [], undefined);
  const x = r.right;
  const pi = x.phaseInfo;
  ui.phase.textContent = pi.phase;
  ui.phase.className = `phase ${pi.phase}`;
  ui.explainPlugin.textContent = `plugin: ${Explain.showPlugin(x.plugin)}`;
  ui.reason.textContent = pi.reason === '' ? '(none)' : pi.reason;
  ui.error.textContent =
    pi.error === undefined ? '(none)' : `${pi.error.kind} ${pi.error.code}\n${pi.error.message}`;
  listItems(ui.rows, x.rows.length === 0 ? ['(this plugin has no decision table)'] : x.rows);
  listItems(ui.why, x.trace);
  ui.explainText.textContent = Explain.explainText(x);
  ui.explainResult.hidden = false;
};

// -------------------------------------------------------------------------------------
// wiring
// -------------------------------------------------------------------------------------

const fill = (
  select: HTMLSelectElement,
  files: ReadonlyArray<ExampleFile>,
  none: string | undefined,
): void => {
  const options = files.map((f, i) => {
    const o = document.createElement('option');
    o.value = String(i);
    o.textContent = f.file;
    o.dataset['file'] = f.file;
    return o;
  });
  if (none !== undefined) {
    const o = document.createElement('option');
    o.value = '';
    o.textContent = none;
    options.unshift(o);
  }
  select.replaceChildren(...options);
};

const picked = (select: HTMLSelectElement, files: ReadonlyArray<ExampleFile>): ExampleFile | undefined =>
  select.value === '' ? undefined : files[Number(select.value)];

const start = (registry: Registry.Registry): void => {
  const update = (): void => {
    const config = currentConfig();
    render(registry, config);
    explain(registry, config);
  };
  fill(ui.configExample, examples.configs, '(none: the built-in defaults)');
  fill(ui.taskExample, examples.tasks, undefined);
  fill(ui.resourceExample, examples.resources, undefined);
  ui.configExample.addEventListener('change', () => {
    ui.config.value = picked(ui.configExample, examples.configs)?.text ?? '';
    update();
  });
  ui.taskExample.addEventListener('change', () => {
    ui.task.value = picked(ui.taskExample, examples.tasks)?.text ?? '';
    update();
  });
  ui.resourceExample.addEventListener('change', () => {
    const f = picked(ui.resourceExample, examples.resources);
    ui.resource.value = f?.text ?? '';
    if (f?.now !== undefined) ui.now.value = f.now;
    update();
  });
  for (const el of [ui.config, ui.task, ui.resource, ui.now]) el.addEventListener('input', update);
  ui.withMetadata.addEventListener('change', update);
  ui.task.value = examples.tasks[0]?.text ?? '';
  const first = examples.resources[0];
  ui.resource.value = first?.text ?? '';
  ui.now.value = first?.now ?? Time.formatInstant(Date.now());
  update();
  document.body.dataset['ready'] = 'true';
};

if (E.isLeft(registryOrError)) {
  showErrors(
    ui.renderErrors,
    [{ file: 'kubetasks', message: Registry.showRegistryError(registryOrError.left) }],
    undefined,
  );
} else {
  start(registryOrError.right);
}
