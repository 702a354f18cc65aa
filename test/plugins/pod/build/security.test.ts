// Pod Security Standards: what restricted fills in, and every violation as a BuildError naming the field.
import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import * as E from 'fp-ts/lib/Either.js';
import type { PodSecurityProfile } from '../../../../src/domain/platform-config.js';
import { buildPodResource } from '../../../../src/plugins/pod/build/index.js';
import { allViolations } from '../../../../src/plugins/pod/build/security.js';
import { arbBuildContext } from '../../../../src/testing/index.js';
import { build, buildFails, config, ctxOf, primaryOf, task } from './fixtures.js';

const pss = (profile: PodSecurityProfile) => config({ 'pod-security-standard': profile });

const podTask = (spec: object) =>
  task({ type: 'sidecar', podTemplate: { primaryContainerName: 'main', spec: spec } });

const withMain = (container: object = {}, pod: object = {}) =>
  podTask({ containers: [{ name: 'main', image: 'x', ...container }], ...pod });

describe('restricted', () => {
  it('fills what the standard requires and the task leaves unset', () => {
    const pod = build(ctxOf(task(), pss('restricted')));
    expect(pod.spec?.securityContext).toEqual({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(primaryOf(pod).securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(allViolations(pod.spec!, 'restricted')).toEqual([]);
  });

  it('keeps what the task sets, adding ALL to its drop list', () => {
    const pod = build(
      ctxOf(
        withMain({
          securityContext: {
            runAsUser: 1000,
            capabilities: { drop: ['NET_RAW'], add: ['NET_BIND_SERVICE'] },
          },
        }),
        pss('restricted'),
      ),
    );
    expect(primaryOf(pod).securityContext).toEqual({
      runAsUser: 1000,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['NET_RAW', 'ALL'], add: ['NET_BIND_SERVICE'] },
    });
  });

  test.prop([arbBuildContext])('every pod built under restricted satisfies it', (ctx) => {
    const c = {
      ...ctx,
      config: {
        ...ctx.config,
        plugins: {
          ...ctx.config.plugins,
          k8s: { ...ctx.config.plugins.k8s, 'pod-security-standard': 'restricted' as const },
        },
      },
    };
    const r = buildPodResource(c);
    if (E.isLeft(r)) {
      expect(r.left.code).toBe('PodSecurityViolation');
      return;
    }
    expect(allViolations(r.right.spec!, 'restricted')).toEqual([]);
  });
});

const C = ['task', 'podTemplate', 'spec', 'containers', 0];
const P = ['task', 'podTemplate', 'spec'];

describe('violations (decision table)', () => {
  it.each<[string, PodSecurityProfile, ReturnType<typeof task>, ReadonlyArray<string | number>]>([
    [
      'privileged',
      'baseline',
      withMain({ securityContext: { privileged: true } }),
      [...C, 'securityContext', 'privileged'],
    ],
    ['host network', 'baseline', withMain({}, { hostNetwork: true }), [...P, 'hostNetwork']],
    ['host PID', 'baseline', withMain({}, { hostPID: true }), [...P, 'hostPID']],
    ['host IPC', 'baseline', withMain({}, { hostIPC: true }), [...P, 'hostIPC']],
    [
      'a hostPath volume',
      'baseline',
      withMain({}, { volumes: [{ name: 'h', hostPath: { path: '/' } }] }),
      [...P, 'volumes', 0, 'hostPath'],
    ],
    [
      'a host port',
      'baseline',
      withMain({ ports: [{ containerPort: 80, hostPort: 80 }] }),
      [...C, 'ports', 0, 'hostPort'],
    ],
    [
      'adding SYS_ADMIN',
      'baseline',
      withMain({ securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }),
      [...C, 'securityContext', 'capabilities', 'add', 0],
    ],
    [
      'adding NET_RAW',
      'baseline',
      withMain({ securityContext: { capabilities: { add: ['CHOWN', 'NET_RAW'] } } }),
      [...C, 'securityContext', 'capabilities', 'add', 1],
    ],
    [
      'an unmasked /proc',
      'baseline',
      withMain({ securityContext: { procMount: 'Unmasked' } }),
      [...C, 'securityContext', 'procMount'],
    ],
    [
      'seccomp Unconfined',
      'baseline',
      withMain({}, { securityContext: { seccompProfile: { type: 'Unconfined' } } }),
      [...P, 'securityContext', 'seccompProfile', 'type'],
    ],
    [
      'AppArmor Unconfined',
      'baseline',
      withMain({ securityContext: { appArmorProfile: { type: 'Unconfined' } } }),
      [...C, 'securityContext', 'appArmorProfile', 'type'],
    ],
    [
      'an unsafe sysctl',
      'baseline',
      withMain({}, { securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }] } }),
      [...P, 'securityContext', 'sysctls', 0, 'name'],
    ],
    [
      'a custom SELinux type',
      'baseline',
      withMain({ securityContext: { seLinuxOptions: { type: 'spc_t' } } }),
      [...C, 'securityContext', 'seLinuxOptions', 'type'],
    ],
    [
      'adding CHOWN',
      'restricted',
      withMain({ securityContext: { capabilities: { add: ['CHOWN'] } } }),
      [...C, 'securityContext', 'capabilities', 'add', 0],
    ],
    [
      'privilege escalation',
      'restricted',
      withMain({ securityContext: { allowPrivilegeEscalation: true } }),
      [...C, 'securityContext', 'allowPrivilegeEscalation'],
    ],
    [
      'runAsNonRoot false',
      'restricted',
      withMain({ securityContext: { runAsNonRoot: false } }),
      [...C, 'securityContext', 'runAsNonRoot'],
    ],
    [
      'running as root',
      'restricted',
      withMain({}, { securityContext: { runAsUser: 0 } }),
      [...P, 'securityContext', 'runAsUser'],
    ],
    [
      'an nfs volume',
      'restricted',
      withMain({}, { volumes: [{ name: 'n', nfs: { server: 's', path: '/' } }] }),
      [...P, 'volumes', 0, 'nfs'],
    ],
    [
      'a privileged sidecar in an override',
      'baseline',
      task(
        {},
        {
          overrides: {
            podTemplate: {
              spec: { containers: [{ name: 'side', image: 'y', securityContext: { privileged: true } }] },
            },
          },
        },
      ),
      ['execution', 'overrides', 'podTemplate', 'spec', 'containers', 0, 'securityContext', 'privileged'],
    ],
  ])('%s under %s', (_name, profile, te, path) => {
    const e = buildFails(ctxOf(te, pss(profile)));
    expect(e.code).toBe('PodSecurityViolation');
    expect(e.path).toEqual(path);
    expect(e.message).toMatch(new RegExp(`forbidden by the ${profile} Pod Security Standard`));
  });

  it.each<[string, ReturnType<typeof task>]>([
    ['an nfs volume', withMain({}, { volumes: [{ name: 'n', nfs: { server: 's', path: '/' } }] })],
    ['adding CHOWN', withMain({ securityContext: { capabilities: { add: ['CHOWN'] } } })],
    ['running as root', withMain({}, { securityContext: { runAsUser: 0 } })],
  ])('baseline allows %s, and fills nothing', (_name, te) => {
    const pod = build(ctxOf(te, pss('baseline')));
    expect(primaryOf(pod).securityContext?.allowPrivilegeEscalation).toBeUndefined();
  });

  it('none allows anything', () => {
    expect(() =>
      build(ctxOf(withMain({ securityContext: { privileged: true } }, { hostNetwork: true }), pss('none'))),
    ).not.toThrow();
  });

  it('platform settings that break the standard name the config key', () => {
    const e = buildFails(
      ctxOf(
        task(),
        config({ 'pod-security-standard': 'baseline', 'default-security-context': { privileged: true } }),
      ),
    );
    expect(e).toMatchObject({
      code: 'PodSecurityViolation',
      message: expect.stringMatching(/^plugins\.k8s\.default-security-context\.privileged: forbidden/),
    });
    const h = buildFails(
      ctxOf(task(), config({ 'pod-security-standard': 'restricted', 'enable-host-networking-pod': true })),
    );
    expect(h.message).toMatch(/^plugins\.k8s\.enable-host-networking-pod: forbidden/);
  });

  it('a base template that breaks the standard is named in the message', () => {
    const e = buildFails(
      ctxOf(task(), config({ 'pod-security-standard': 'baseline', 'default-pod-template-name': 'base' }), {
        base: { spec: { volumes: [{ name: 'h', hostPath: { path: '/var/run' } }] } },
      }),
    );
    expect(e.message).toBe(
      'PodTemplate base: spec.volumes[0].hostPath: forbidden by the baseline Pod Security Standard: hostPath volumes',
    );
  });

  test.prop([fc.constantFrom<PodSecurityProfile>('baseline', 'restricted')])(
    'AppArmor annotations are checked too',
    (profile) => {
      const e = buildFails(
        ctxOf(
          task({
            podTemplate: {
              primaryContainerName: 'main',
              metadata: {
                annotations: { 'container.apparmor.security.beta.kubernetes.io/main': 'unconfined' },
              },
              spec: { containers: [{ name: 'main', image: 'x' }] },
            },
          }),
          pss(profile),
        ),
      );
      expect(e.code).toBe('PodSecurityViolation');
    },
  );
});
