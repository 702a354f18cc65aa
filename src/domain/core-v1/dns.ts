// Codecs for a pod's extra DNS settings (nameservers, search domains, resolver options).
import * as t from 'io-ts';
import { struct } from '../codec.js';

const strings = t.array(t.string);

// `name` is optional in the OpenAPI schema but the API server rejects an option without one.
/** Decodes one resolver option; `name` is required because the API server rejects an option without one. */
export const PodDNSConfigOption = struct(
  'PodDNSConfigOption',
  { name: t.string },
  { value: t.string },
  'A resolver option (options in resolv.conf).',
);

/** Decodes extra DNS settings for task pods (nameservers, search domains, resolver options). */
export const PodDNSConfig = struct(
  'PodDNSConfig',
  {},
  { nameservers: strings, searches: strings, options: t.array(PodDNSConfigOption) },
  'DNS parameters merged into those generated from the DNS policy.',
);
/** Decoded DNS settings, assignable to kubernetes-types' `PodDNSConfig`. */
export type PodDNSConfig = t.TypeOf<typeof PodDNSConfig>;
