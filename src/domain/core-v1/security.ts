// Codecs for container and pod security contexts (SELinux, seccomp, AppArmor, capabilities, users and groups).
import * as t from 'io-ts';
import { oneOf, struct } from '../codec.js';
import { Int64 } from './scalars.js';

const strings = t.array(t.string);

/**
 * Which seccomp profile a container runs under; `Localhost` needs `localhostProfile`, which the API server
 * checks.
 */
export const SeccompProfileType = oneOf('SeccompProfileType', ['Unconfined', 'RuntimeDefault', 'Localhost']);
/**
 * Which AppArmor profile a container runs under; `Localhost` needs `localhostProfile`, which the API server
 * checks.
 */
export const AppArmorProfileType = oneOf('AppArmorProfileType', [
  'Unconfined',
  'RuntimeDefault',
  'Localhost',
]);
/** How /proc is mounted; `Unmasked` needs the ProcMountType feature and a user namespace. */
export const ProcMountType = oneOf('ProcMountType', ['Default', 'Unmasked']);
/**
 * When volume ownership is changed to the pod's fsGroup: `OnRootMismatch` skips a volume whose root already has
 * the right owner, so pods with large volumes start without walking every file.
 */
export const PodFSGroupChangePolicy = oneOf('PodFSGroupChangePolicy', ['OnRootMismatch', 'Always']);
/**
 * Whether the container image's own groups are merged with the pod's supplemental groups (`Merge`) or ignored
 * (`Strict`).
 */
export const SupplementalGroupsPolicy = oneOf('SupplementalGroupsPolicy', ['Merge', 'Strict']);
/**
 * How SELinux labels reach a pod's volumes: relabelling every file (`Recursive`) or a mount option
 * (`MountOption`, much faster on large volumes).
 */
export const PodSELinuxChangePolicy = oneOf('PodSELinuxChangePolicy', ['Recursive', 'MountOption']);

/** Decodes SELinux labels for a container or pod. */
export const SELinuxOptions = struct(
  'SELinuxOptions',
  {},
  { user: t.string, role: t.string, type: t.string, level: t.string },
  'SELinux labels applied to a container.',
);

/** Decodes the seccomp profile of a container or pod; restricted Pod Security requires one. */
export const SeccompProfile = struct(
  'SeccompProfile',
  { type: SeccompProfileType },
  { localhostProfile: t.string },
  'The seccomp profile to apply.',
);

/** Decodes the AppArmor profile of a container or pod. */
export const AppArmorProfile = struct(
  'AppArmorProfile',
  { type: AppArmorProfileType },
  { localhostProfile: t.string },
  'The AppArmor profile to apply.',
);

/** Decodes Linux capabilities to add and drop; restricted Pod Security requires dropping `ALL`. */
export const Capabilities = struct(
  'Capabilities',
  {},
  { add: strings, drop: strings },
  'POSIX capabilities to add and drop.',
);

/** Decodes the settings that apply only to Windows containers. */
export const WindowsSecurityContextOptions = struct(
  'WindowsSecurityContextOptions',
  {},
  {
    gmsaCredentialSpecName: t.string,
    gmsaCredentialSpec: t.string,
    runAsUserName: t.string,
    hostProcess: t.boolean,
  },
  'Windows-specific security options.',
);

/**
 * Decodes a container security context written in the platform configuration (the default one for every task
 * container).
 */
export const SecurityContext = struct(
  'SecurityContext',
  {},
  {
    capabilities: Capabilities,
    privileged: t.boolean,
    seLinuxOptions: SELinuxOptions,
    windowsOptions: WindowsSecurityContextOptions,
    runAsUser: Int64,
    runAsGroup: Int64,
    runAsNonRoot: t.boolean,
    readOnlyRootFilesystem: t.boolean,
    allowPrivilegeEscalation: t.boolean,
    procMount: ProcMountType,
    seccompProfile: SeccompProfile,
    appArmorProfile: AppArmorProfile,
  },
  'Container-level security settings; they override the pod security context.',
);
/** A decoded container security context, assignable to kubernetes-types' `SecurityContext`. */
export type SecurityContext = t.TypeOf<typeof SecurityContext>;

/** Decodes a namespaced kernel parameter set for a pod. */
export const Sysctl = struct(
  'Sysctl',
  { name: t.string, value: t.string },
  {},
  'A namespaced kernel parameter.',
);

/**
 * Decodes a pod security context written in the platform configuration (the default one for every task pod).
 */
export const PodSecurityContext = struct(
  'PodSecurityContext',
  {},
  {
    seLinuxOptions: SELinuxOptions,
    windowsOptions: WindowsSecurityContextOptions,
    runAsUser: Int64,
    runAsGroup: Int64,
    runAsNonRoot: t.boolean,
    supplementalGroups: t.array(Int64),
    supplementalGroupsPolicy: SupplementalGroupsPolicy,
    fsGroup: Int64,
    sysctls: t.array(Sysctl),
    fsGroupChangePolicy: PodFSGroupChangePolicy,
    seccompProfile: SeccompProfile,
    appArmorProfile: AppArmorProfile,
    seLinuxChangePolicy: PodSELinuxChangePolicy,
  },
  'Pod-level security settings and defaults for every container.',
);
/** A decoded pod security context, assignable to kubernetes-types' `PodSecurityContext`. */
export type PodSecurityContext = t.TypeOf<typeof PodSecurityContext>;
