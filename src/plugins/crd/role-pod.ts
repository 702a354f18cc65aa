// A role's pod: the task's pod with its primary container under the name the operator requires for the role.
import * as E from 'fp-ts/lib/Either.js';
import type { Container, PodSpec } from '../../domain/kubernetes.js';
import { badTaskSpecification, type BuildError } from '../../domain/plugin.js';
import type { RawPod } from '../pod/build/index.js';

/** The task's pod with the primary container renamed, and that container as the task wrote it. */
export interface RolePod {
  readonly spec: PodSpec;
  /** The primary container before the rename (its command line becomes an entrypoint in some operators). */
  readonly primary: Container;
}

/**
 * The pod with its primary container replaced by `rewrite(primary)`, which gives it the role's `name`: a pod without
 * its primary container, or with another container already named so, is the task's error (the operator finds its
 * container by name). `owner` says whose name it is in the message (`the Ray head`).
 */
export const renamePrimary = (
  raw: RawPod,
  name: string,
  owner: string,
  rewrite: (primary: Container) => Container,
): E.Either<BuildError, RolePod> => {
  const primary = raw.spec.containers.find((c) => c.name === raw.primaryContainerName);
  if (primary === undefined) {
    return E.left(badTaskSpecification('the task has no primary container', ['task', 'container']));
  }
  if (raw.spec.containers.some((c) => c !== primary && c.name === name)) {
    return E.left(
      badTaskSpecification(`the container name ${JSON.stringify(name)} is reserved for ${owner}`, [
        'task',
        'podTemplate',
        'spec',
        'containers',
      ]),
    );
  }
  const containers = raw.spec.containers.map((c) => (c === primary ? rewrite(c) : c));
  return E.right({ spec: { ...raw.spec, containers }, primary });
};
