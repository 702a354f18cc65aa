// The Kubeflow plugins' platform config section, `plugins.kf-operator` (Flyte's key and default).
import { struct, withDefault } from '../../../domain/codec.js';
import { pluginConfigSection, type PluginConfigSection } from '../../../domain/plugin-config.js';
import { DurationFromString } from '../../../domain/time.js';

export const KfOperatorConfigC = struct(
  'KfOperatorConfig',
  {
    timeout: withDefault(
      DurationFromString,
      60_000,
      'Fail a PyTorchJob, TFJob or MPIJob whose status the training operator has not written at all this long after ' +
        'its creation (no condition, no startTime): the operator is missing or not watching the namespace. A job ' +
        'the operator has seen (a Created or Suspended condition, e.g. one waiting in a gang-scheduling or Kueue ' +
        'queue) never times out here. 0 disables the check.',
    ),
  },
  {},
  'Kubeflow training-operator plugins (pytorch, tensorflow, mpi).',
);

export interface KfOperatorConfig {
  readonly timeout: number;
}

/** `plugins.kf-operator`, shared by the three plugins (declared by each; the same section value). */
export const kfOperatorSection: PluginConfigSection<KfOperatorConfig> = pluginConfigSection(
  'kf-operator',
  KfOperatorConfigC,
);
