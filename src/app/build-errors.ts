// Build errors as input errors: a BuildError's path into the task file becomes a file:line:col position.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { renderPath } from '../domain/codec.js';
import type { BuildError } from '../domain/plugin.js';
import { decodeTaskExecution, type TaskExecution } from '../domain/task.js';
import { issuesToInputErrors, parseSource, type InputError, type SourceDocument } from './source.js';

/**
 * `task.yaml:12:9: task.container.image: <message>` when the error has a path (positioned at the deepest part of the
 * path the file contains), `task.yaml: <message>` when it does not.
 */
export const buildErrorToInputError = (doc: SourceDocument, e: BuildError): InputError => {
  if (e.path === undefined || e.path.length === 0) return { file: doc.file, message: e.message };
  const position = doc.locate(e.path);
  return {
    file: doc.file,
    ...(position === undefined ? {} : { position }),
    message: `${renderPath(e.path)}: ${e.message}`,
  };
};

/** A decoded task file together with its source, so later build errors can be positioned in it. */
export interface TaskSource {
  readonly doc: SourceDocument;
  readonly task: TaskExecution;
}

export const loadTaskSource = (file: string, text: string): E.Either<ReadonlyArray<InputError>, TaskSource> =>
  pipe(
    parseSource(file, text),
    E.flatMap((doc) =>
      pipe(
        decodeTaskExecution(doc.value),
        E.bimap(
          (issues) => issuesToInputErrors(doc, issues),
          (task) => ({ doc, task }),
        ),
      ),
    ),
  );
