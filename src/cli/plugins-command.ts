// `kubetasks plugins`: the registered plugins, their task types and kinds, and whether a cluster serves those kinds.
import { Command, Option } from '@commander-js/extra-typings';
import * as E from 'fp-ts/lib/Either.js';
import type { GroupVersionKind } from '../domain/kubernetes.js';
import type { Plugin } from '../domain/plugin.js';
import { builtInPlugins } from '../plugins/index.js';
import type { ClusterPort } from '../ports/cluster.js';
import { CliExit, ExitCode, parseOutputFormat } from './io.js';
import { loadKubernetesCluster } from './kube.js';

/** One plugin as `plugins` shows it. */
export interface PluginRow {
  readonly id: string;
  readonly taskTypes: ReadonlyArray<string>;
  readonly default: boolean;
  readonly watches: string;
  readonly related: ReadonlyArray<string>;
  readonly configSection?: string;
  /** Whether the cluster serves each kind (watched and related); absent without --cluster. */
  readonly served?: Readonly<Record<string, boolean>>;
}

const showKind = (k: GroupVersionKind): string => `${k.kind}.${k.apiVersion}`;

const rowOf = (p: Plugin): PluginRow => ({
  id: p.id,
  taskTypes: p.taskTypes,
  default: p.isDefault === true,
  watches: showKind(p.watches),
  related: (p.relatedKinds ?? []).map(showKind),
  ...(p.configSection === undefined ? {} : { configSection: `plugins.${p.configSection.key}` }),
});

const servedBy = async (cluster: ClusterPort, p: Plugin): Promise<Readonly<Record<string, boolean>>> => {
  const out: Record<string, boolean> = {};
  for (const k of [p.watches, ...(p.relatedKinds ?? [])]) {
    const r = await cluster.serves(k)();
    if (E.isLeft(r))
      throw new CliExit(ExitCode.failed, [`asking the cluster about ${showKind(k)}: ${r.left.message}`]);
    out[showKind(k)] = r.right;
  }
  return out;
};

const renderText = (rows: ReadonlyArray<PluginRow>): string => {
  const lines = rows.map((r) => {
    const kinds = [r.watches, ...r.related].map((k) =>
      r.served === undefined ? k : `${k} (${r.served[k] === true ? 'served' : 'NOT served'})`,
    );
    return [
      r.id + (r.default ? ' (default)' : ''),
      `  task types: ${r.taskTypes.join(', ')}`,
      `  watches:    ${kinds[0] ?? ''}`,
      ...(kinds.length > 1 ? [`  related:    ${kinds.slice(1).join(', ')}`] : []),
      ...(r.configSection === undefined ? [] : [`  config:     ${r.configSection}`]),
    ].join('\n');
  });
  return `${lines.join('\n\n')}\n`;
};

export const pluginsCommand = () =>
  new Command('plugins')
    .description('List the registered plugins: task types, watched and related kinds, config sections')
    .addOption(
      new Option('--cluster <kind>', 'also check which kinds this cluster serves').choices(['kube'] as const),
    )
    .option('--kubeconfig <file>', 'kubeconfig for --cluster kube (default: $KUBECONFIG, ~/.kube/config)')
    .option('-o, --output <format>', 'text or json', 'text')
    .action(async (opts) => {
      const output = parseOutputFormat(opts.output, ['text', 'json']);
      const plugins = builtInPlugins as ReadonlyArray<Plugin>;
      let rows = plugins.map(rowOf);
      if (opts.cluster === 'kube') {
        const loaded = await loadKubernetesCluster(
          opts.kubeconfig === undefined ? {} : { kubeconfigPath: opts.kubeconfig },
        );
        if (E.isLeft(loaded))
          throw new CliExit(ExitCode.badInput, [`--cluster kube: ${loaded.left.message}`]);
        try {
          const served = await Promise.all(plugins.map((p) => servedBy(loaded.right, p)));
          rows = rows.map((r, i) => ({ ...r, served: served[i] ?? {} }));
        } finally {
          loaded.right.close();
        }
      }
      process.stdout.write(output === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : renderText(rows));
    });
