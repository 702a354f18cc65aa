// `kubetasks render`: print the manifest a plugin would create for a task (filled in by the pod construction work).
import { Command } from '@commander-js/extra-typings';

export const renderCommand = () =>
  new Command('render')
    .description('Print the manifest the plugin would create for a task file')
    .argument('<task-file>');
