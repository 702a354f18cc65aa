// Leadership: the seam between the controller and whatever decides that this process may do the work.

/** How a period of leading ended. */
export type LeadershipEnd =
  /** The caller asked to stop (SIGTERM, say); the lease, if any, was released. */
  | { readonly _tag: 'Stopped' }
  /** Leadership was lost (the lease could not be renewed in time, or another holder took it). */
  | { readonly _tag: 'Lost'; readonly reason: string };

/**
 * Runs work only while this process leads. `run` waits until this process leads, then calls `lead` with a signal
 * that aborts the moment leadership ends; it resolves once `lead` has returned and, on `Stopped`, the lease has
 * been released. A controller whose leadership is `Lost` exits rather than leading again, as client-go's
 * controllers do: its caches and queues may hold decisions made as leader.
 */
export interface Leadership {
  /**
   * Waits to lead, then runs `lead` until it returns or leadership ends (its signal aborts); resolves with how the
   * period ended. `stop` asks to stop leading and release.
   */
  readonly run: (lead: (ending: AbortSignal) => Promise<void>, stop: AbortSignal) => Promise<LeadershipEnd>;
  /** Whether this process leads now (for the readiness probe and the leader metric). */
  readonly isLeader: () => boolean;
}

/** Leadership for a single replica: it leads from the start until asked to stop. */
export const alwaysLeader = (): Leadership => {
  let leading = false;
  return {
    isLeader: () => leading,
    run: async (lead, stop) => {
      const ending = new AbortController();
      const onStop = (): void => {
        ending.abort();
      };
      if (stop.aborted) return { _tag: 'Stopped' };
      stop.addEventListener('abort', onStop, { once: true });
      leading = true;
      try {
        await lead(ending.signal);
      } finally {
        leading = false;
        stop.removeEventListener('abort', onStop);
      }
      return { _tag: 'Stopped' };
    },
  };
};
