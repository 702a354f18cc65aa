// Loaders for the two user documents: the platform config and the task execution file.
import { decodePlatformConfig } from '../domain/platform-config.js';
import { decodeTaskExecution } from '../domain/task.js';
import { loadDocument } from './source.js';

/** Parses and decodes a platform config file's text; errors carry file, line, column and path. */
export const loadPlatformConfig = loadDocument(decodePlatformConfig);

/** Parses and decodes a task execution file's text. */
export const loadTaskExecution = loadDocument(decodeTaskExecution);
