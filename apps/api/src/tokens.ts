/** Injection tokens for the adapters the composition root hands to Nest. */
export const RUNTIME = Symbol('RUNTIME');
export const LIVE_FEED = Symbol('LIVE_FEED');
