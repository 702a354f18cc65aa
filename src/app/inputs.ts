// Loaders for the two user documents: the platform config and the task execution file.
import { decodePlatformConfigWith, type PluginConfigSection } from '../domain/plugin-config.js';
import { decodeTaskExecution } from '../domain/task.js';
import { builtInConfigSections } from '../plugins/index.js';
import { loadDocument } from './source.js';

/** Parses and decodes a platform config file's text, with the given plugins' sections under `plugins`. */
export const loadPlatformConfigWith = (sections: ReadonlyArray<PluginConfigSection>) =>
  loadDocument(decodePlatformConfigWith(sections));

/** Parses and decodes a platform config file's text (shipped plugins' sections included); errors carry file,
 * line, column and path. */
export const loadPlatformConfig = loadPlatformConfigWith(builtInConfigSections);

/** Parses and decodes a task execution file's text. */
export const loadTaskExecution = loadDocument(decodeTaskExecution);
