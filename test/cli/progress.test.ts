// What `run` prints for a person: Flyte's reasons and errors on one line, codes kept, separators made readable.
import { describe, expect, it } from 'vitest';
import type { TaskUpdate } from '../../src/app/manager.js';
import * as PI from '../../src/domain/phase-info.js';
import {
  describePhaseInfo,
  formatFinal,
  formatUpdate,
  Progress,
  readableReason,
} from '../../src/cli/progress.js';

describe('readableReason', () => {
  it.each([
    ['', ''],
    ['Demistify Pending', 'pending, no cause reported yet (Demistify Pending)'],
    [
      '[ContainersNotReady|ContainerCreating]: containers with unready status: [p-0]|',
      'ContainersNotReady/ContainerCreating: containers with unready status: [p-0]',
    ],
    [
      '[ContainersNotReady|ErrImagePull]: containers with unready status: [p-0]|rpc error: not found',
      'ContainersNotReady/ErrImagePull: containers with unready status: [p-0]; rpc error: not found',
    ],
    ['[Unschedulable]: 0/1 nodes are available', 'Unschedulable: 0/1 nodes are available'],
    ['task submitted to K8s', 'task submitted to K8s'],
    ['line one\n  line two\n\n', 'line one line two'],
  ])('%j → %j', (reason, shown) => {
    expect(readableReason(reason)).toBe(shown);
  });
});

describe('describePhaseInfo and formatFinal', () => {
  it('fold a multi-line error message onto one line', () => {
    const pi = PI.retryableFailure(
      'OOMKilled',
      '\n[p-0] terminated with exit code (137). Reason [OOMKilled]. Message: \n.',
    );
    expect(describePhaseInfo(pi)).toBe(
      'USER OOMKilled: [p-0] terminated with exit code (137). Reason [OOMKilled]. Message: .',
    );
    expect(formatFinal(pi)).not.toContain('\n');
  });

  it("join the parts of a waiting error's message", () => {
    const pi = PI.failure(
      'ContainersNotReady|ImagePullBackOff',
      'Grace period [3m0s] exceeded|containers with unready status: [p-2]|Back-off pulling image "x"',
    );
    expect(formatFinal(pi)).toBe(
      'PermanentFailure  USER ContainersNotReady|ImagePullBackOff: Grace period [3m0s] exceeded; ' +
        'containers with unready status: [p-2]; Back-off pulling image "x"',
    );
  });
});

describe('formatUpdate', () => {
  const update = (phaseInfo: PI.PhaseInfo, at: number): TaskUpdate =>
    ({ taskId: 't', pluginId: 'pod', at, attempt: 1, phaseInfo }) as unknown as TaskUpdate;

  it('aligns the reasons after the widest phase name, and ends without spaces', () => {
    expect(formatUpdate(update(PI.running(0), 12_345), 0)).toBe('   12.3s  attempt 1  Running');
    const queued = formatUpdate(update(PI.queued(0, 0, 'task submitted to K8s'), 0), 0);
    const waiting = formatUpdate(update(PI.waitingForResources(0, 0, 'quota'), 0), 0);
    expect(queued.indexOf('task submitted')).toBe(waiting.indexOf('quota'));
    expect(waiting).toBe('    0.0s  attempt 1  WaitingForResources  quota');
  });
});

describe('Progress', () => {
  it('writes a line per (attempt, phase, version), not per repeat', () => {
    let written = '';
    const stream = {
      isTTY: false,
      columns: 0,
      write: (t: string) => {
        written += t;
        return true;
      },
    } as unknown as NodeJS.WriteStream;
    const progress = new Progress({ stream, startedAt: 0 });
    const at = (phaseInfo: PI.PhaseInfo, attempt = 0): TaskUpdate =>
      ({ taskId: 't', pluginId: 'pod', at: 0, attempt, phaseInfo }) as unknown as TaskUpdate;
    progress.update(at(PI.queued(0, 0, 'Demistify Pending')), 0);
    progress.update(at(PI.queued(0, 0, 'Demistify Pending')), 0);
    progress.update(at(PI.queued(0, 1, '[Unschedulable]: 0/1 nodes are available')), 0);
    progress.update(at(PI.queued(0, 0, 'restarting task'), 1), 0);
    expect(written.split('\n').map((l) => l.replace(/^ +0\.0s {2}/u, ''))).toEqual([
      'attempt 0  Queued               pending, no cause reported yet (Demistify Pending)',
      'attempt 0  Queued               Unschedulable: 0/1 nodes are available',
      'attempt 1  Queued               restarting task',
      '',
    ]);
  });
});
