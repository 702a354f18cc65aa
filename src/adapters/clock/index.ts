// Clock adapters: the wall clock and a virtual clock for tests.
export { systemClock } from './system.js';
export { makeVirtualClock, type VirtualClock, type VirtualClockOptions } from './virtual.js';
export { countingClock, type CountingClock } from './pending.js';
