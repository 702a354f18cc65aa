// Clock adapters (`kubetasks/adapters/clock`): the wall clock, and a virtual clock that tests and simulations drive.
/**
 * Import a clock from here to run a manager in real time (`systemClock`; `steadyClock` where instants are only
 * compared with each other, as leader election does) or in tests and simulations on virtual time that moves only
 * when told to (`makeVirtualClock`).
 *
 * @module kubetasks/adapters/clock
 */
export { steadyClock, systemClock } from './system.js';
export { makeVirtualClock, type VirtualClock, type VirtualClockOptions } from './virtual.js';
export { countingClock, type CountingClock } from './pending.js';
