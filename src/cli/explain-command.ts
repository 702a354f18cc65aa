// `kubetasks explain`: map a resource to its PhaseInfo and say why (filled in by the phase mapping work).
import { Command } from '@commander-js/extra-typings';

export const explainCommand = () =>
  new Command('explain').description('Print the PhaseInfo of a resource and why').argument('<resource-file>');
