// Pod Security Standards (baseline, restricted): explicit violations, the fields restricted requires, and filling them.
import type { PathSegment } from '../../../domain/codec.js';
import type { Container, PodSecurityContext, PodSpec, SecurityContext } from '../../../domain/kubernetes.js';
import type { PodSecurityProfile } from '../../../domain/platform-config.js';
import { isRecord } from './json.js';

export interface Violation {
  /** Relative to the pod spec (or to metadata.annotations for AppArmor annotations). */
  readonly path: ReadonlyArray<PathSegment>;
  readonly message: string;
}

const BASELINE_CAPABILITIES: ReadonlySet<string> = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
const RESTRICTED_CAPABILITIES: ReadonlySet<string> = new Set(['NET_BIND_SERVICE']);
const SELINUX_TYPES: ReadonlySet<string> = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);
const SAFE_SYSCTLS: ReadonlySet<string> = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const RESTRICTED_VOLUME_TYPES: ReadonlySet<string> = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

const forbidden = (profile: PodSecurityProfile, why: string): string =>
  `forbidden by the ${profile} Pod Security Standard: ${why}`;

type Profiled = Exclude<PodSecurityProfile, 'none'>;

const selinuxViolations = (
  o: SecurityContext['seLinuxOptions'],
  at: ReadonlyArray<PathSegment>,
  profile: Profiled,
): Violation[] => {
  if (o === undefined) return [];
  const out: Violation[] = [];
  if (o.type !== undefined && !SELINUX_TYPES.has(o.type)) {
    out.push({
      path: [...at, 'type'],
      message: forbidden(profile, `SELinux type ${JSON.stringify(o.type)} is not allowed`),
    });
  }
  if (o.user !== undefined && o.user !== '')
    out.push({ path: [...at, 'user'], message: forbidden(profile, 'a custom SELinux user') });
  if (o.role !== undefined && o.role !== '')
    out.push({ path: [...at, 'role'], message: forbidden(profile, 'a custom SELinux role') });
  return out;
};

/** Settings common to pod and container security contexts. */
const commonViolations = (
  sc: SecurityContext | PodSecurityContext,
  at: ReadonlyArray<PathSegment>,
  profile: Profiled,
): Violation[] => {
  const out: Violation[] = [...selinuxViolations(sc.seLinuxOptions, [...at, 'seLinuxOptions'], profile)];
  if (sc.seccompProfile?.type === 'Unconfined') {
    out.push({
      path: [...at, 'seccompProfile', 'type'],
      message: forbidden(profile, 'seccomp profile Unconfined'),
    });
  }
  const appArmor = (sc as { appArmorProfile?: { type?: string } }).appArmorProfile;
  if (appArmor?.type === 'Unconfined') {
    out.push({
      path: [...at, 'appArmorProfile', 'type'],
      message: forbidden(profile, 'AppArmor profile Unconfined'),
    });
  }
  if (sc.windowsOptions?.hostProcess === true) {
    out.push({
      path: [...at, 'windowsOptions', 'hostProcess'],
      message: forbidden(profile, 'Windows host processes'),
    });
  }
  if (profile === 'restricted') {
    if (sc.runAsNonRoot === false) {
      out.push({
        path: [...at, 'runAsNonRoot'],
        message: forbidden(profile, 'runAsNonRoot must not be false'),
      });
    }
    if (sc.runAsUser === 0) {
      out.push({ path: [...at, 'runAsUser'], message: forbidden(profile, 'running as user 0 (root)') });
    }
  }
  return out;
};

const containerViolations = (
  c: Container,
  at: ReadonlyArray<PathSegment>,
  profile: Profiled,
): Violation[] => {
  const out: Violation[] = [];
  const sc = c.securityContext;
  const sat = [...at, 'securityContext'];
  if (sc !== undefined) {
    out.push(...commonViolations(sc, sat, profile));
    if (sc.privileged === true)
      out.push({ path: [...sat, 'privileged'], message: forbidden(profile, 'privileged containers') });
    if (sc.procMount === 'Unmasked')
      out.push({ path: [...sat, 'procMount'], message: forbidden(profile, 'an unmasked /proc') });
    const allowed = profile === 'restricted' ? RESTRICTED_CAPABILITIES : BASELINE_CAPABILITIES;
    (sc.capabilities?.add ?? []).forEach((cap, j) => {
      if (!allowed.has(cap)) {
        out.push({
          path: [...sat, 'capabilities', 'add', j],
          message: forbidden(profile, `adding capability ${cap}`),
        });
      }
    });
    if (profile === 'restricted' && sc.allowPrivilegeEscalation === true) {
      out.push({
        path: [...sat, 'allowPrivilegeEscalation'],
        message: forbidden(profile, 'privilege escalation'),
      });
    }
  }
  (c.ports ?? []).forEach((p, j) => {
    if (p.hostPort !== undefined && p.hostPort !== 0) {
      out.push({ path: [...at, 'ports', j, 'hostPort'], message: forbidden(profile, 'host ports') });
    }
  });
  return out;
};

const containerLists = ['initContainers', 'containers', 'ephemeralContainers'] as const;

const eachContainer = (
  spec: PodSpec,
  f: (c: Container, at: ReadonlyArray<PathSegment>) => Violation[],
): Violation[] =>
  containerLists.flatMap((list) =>
    ((spec[list] ?? []) as ReadonlyArray<Container>).flatMap((c, i) => (isRecord(c) ? f(c, [list, i]) : [])),
  );

/**
 * Values a pod spec sets that the profile forbids. Values left unset are not violations here: construction fills
 * the ones the restricted profile requires. Paths are relative to the spec.
 */
export const explicitViolations = (spec: PodSpec, profile: PodSecurityProfile): ReadonlyArray<Violation> => {
  if (profile === 'none') return [];
  const out: Violation[] = [];
  for (const ns of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[ns] === true)
      out.push({ path: [ns], message: forbidden(profile, `sharing the host's namespaces (${ns})`) });
  }
  const psc = spec.securityContext;
  if (psc !== undefined) {
    out.push(...commonViolations(psc, ['securityContext'], profile));
    (psc.sysctls ?? []).forEach((s, j) => {
      if (!SAFE_SYSCTLS.has(s.name)) {
        out.push({
          path: ['securityContext', 'sysctls', j, 'name'],
          message: forbidden(profile, `the unsafe sysctl ${s.name}`),
        });
      }
    });
  }
  (spec.volumes ?? []).forEach((v, j) => {
    const types = Object.keys(v).filter((k) => k !== 'name');
    if (types.includes('hostPath')) {
      out.push({ path: ['volumes', j, 'hostPath'], message: forbidden(profile, 'hostPath volumes') });
    } else if (profile === 'restricted') {
      const bad = types.find((k) => !RESTRICTED_VOLUME_TYPES.has(k));
      if (bad !== undefined)
        out.push({ path: ['volumes', j, bad], message: forbidden(profile, `${bad} volumes`) });
    }
  });
  out.push(...eachContainer(spec, (c, at) => containerViolations(c, at, profile)));
  return out;
};

/** AppArmor annotations (the pre-1.30 way to set a profile) that the profile forbids. */
export const annotationViolations = (
  annotations: Readonly<Record<string, string>> | undefined,
  profile: PodSecurityProfile,
): ReadonlyArray<Violation> => {
  if (profile === 'none') return [];
  return Object.entries(annotations ?? {})
    .filter(
      ([k, v]) =>
        k.startsWith(APPARMOR_ANNOTATION_PREFIX) && v !== 'runtime/default' && !v.startsWith('localhost/'),
    )
    .map(([k]) => ({
      path: [k],
      message: forbidden(profile, 'an AppArmor profile other than runtime/default or localhost/*'),
    }));
};

/** Every violation of the pod spec, including fields the restricted profile requires but the spec leaves unset. */
export const allViolations = (spec: PodSpec, profile: PodSecurityProfile): ReadonlyArray<Violation> => {
  const out = [...explicitViolations(spec, profile)];
  if (profile !== 'restricted') return out;
  const pod = spec.securityContext;
  out.push(
    ...eachContainer(spec, (c, at) => {
      const sc = c.securityContext;
      const v: Violation[] = [];
      const sat = [...at, 'securityContext'];
      if (sc?.allowPrivilegeEscalation !== false) {
        v.push({
          path: [...sat, 'allowPrivilegeEscalation'],
          message: forbidden(profile, 'allowPrivilegeEscalation must be false'),
        });
      }
      if (!(sc?.capabilities?.drop ?? []).includes('ALL')) {
        v.push({
          path: [...sat, 'capabilities', 'drop'],
          message: forbidden(profile, 'capabilities must drop ALL'),
        });
      }
      if ((sc?.runAsNonRoot ?? pod?.runAsNonRoot) !== true) {
        v.push({ path: [...sat, 'runAsNonRoot'], message: forbidden(profile, 'runAsNonRoot must be true') });
      }
      const seccomp = sc?.seccompProfile?.type ?? pod?.seccompProfile?.type;
      if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
        v.push({
          path: [...sat, 'seccompProfile'],
          message: forbidden(profile, 'a RuntimeDefault or Localhost seccomp profile is required'),
        });
      }
      return v;
    }),
  );
  return out;
};

const hardenContainer = (c: Container): Container => {
  const sc = c.securityContext ?? {};
  const drop = sc.capabilities?.drop ?? [];
  return {
    ...c,
    securityContext: {
      ...sc,
      allowPrivilegeEscalation: sc.allowPrivilegeEscalation ?? false,
      capabilities: { ...sc.capabilities, drop: drop.includes('ALL') ? drop : [...drop, 'ALL'] },
    },
  };
};

/**
 * Fills what the restricted profile requires and the pod leaves unset: pod runAsNonRoot true and seccomp
 * RuntimeDefault; per container allowPrivilegeEscalation false and "ALL" in capabilities.drop. Explicit values are
 * never changed (explicitViolations reports the forbidden ones). Other profiles require nothing. Idempotent.
 */
export const enforce = (spec: PodSpec, profile: PodSecurityProfile): PodSpec => {
  if (profile !== 'restricted') return spec;
  const psc = spec.securityContext ?? {};
  return {
    ...spec,
    securityContext: {
      ...psc,
      runAsNonRoot: psc.runAsNonRoot ?? true,
      seccompProfile: psc.seccompProfile ?? { type: 'RuntimeDefault' },
    },
    containers: spec.containers.map(hardenContainer),
    ...(spec.initContainers === undefined
      ? {}
      : { initContainers: spec.initContainers.map(hardenContainer) }),
  };
};
