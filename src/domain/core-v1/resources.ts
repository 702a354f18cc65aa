// Codecs for a container's compute resources: requests, limits and dynamic resource claims.
import * as t from 'io-ts';
import { struct } from '../codec.js';
import { ResourceList } from './scalars.js';

/** Decodes a container's use of a dynamic resource claim of its pod (e.g. a GPU through DRA). */
export const ResourceClaim = struct(
  'ResourceClaim',
  { name: t.string },
  { request: t.string },
  'A pod resource claim (or one request of it) that the container uses.',
);

/**
 * Decodes requests and limits, with quantities in canonical form ("0.5" becomes "500m") so they compare and
 * merge exactly.
 */
export const ResourceRequirements = struct(
  'ResourceRequirements',
  {},
  { limits: ResourceList, requests: ResourceList, claims: t.array(ResourceClaim) },
  'Compute resource limits and requests, and dynamic resource claims.',
);
/** Decoded requests and limits, assignable to kubernetes-types' `ResourceRequirements`. */
export type ResourceRequirements = t.TypeOf<typeof ResourceRequirements>;
