// The last line of a plugin's buildResource: an exception (a bug, since inputs are decoded first) becomes a BuildError.
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { buildError, type BuildContext, type BuildError } from '../../domain/plugin.js';

/**
 * `build`, with any exception it throws turned into a `FailedToBuildResource` error naming what was being built
 * (`the RayJob`). Inputs are decoded and checked before use, so a throw is a bug; it must still reach the user as an
 * error value, never crash the manager.
 */
export const guardBuild =
  <A>(what: string, build: (ctx: BuildContext) => E.Either<BuildError, A>) =>
  (ctx: BuildContext): E.Either<BuildError, A> =>
    pipe(
      E.tryCatch(
        () => build(ctx),
        (e) =>
          buildError(
            'FailedToBuildResource',
            `internal error while building ${what}: ${e instanceof Error ? e.message : String(e)}`,
          ),
      ),
      E.flatten,
    );
