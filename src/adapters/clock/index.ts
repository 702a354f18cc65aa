// Clock adapters (`kubetasks/adapters/clock`): the wall clock, and a virtual clock that tests and simulations drive.
export { systemClock } from './system.js';
export { makeVirtualClock, type VirtualClock, type VirtualClockOptions } from './virtual.js';
export { countingClock, type CountingClock } from './pending.js';
