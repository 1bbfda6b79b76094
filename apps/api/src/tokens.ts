import type { SettingsSections } from '#platform';

/** Injection tokens for the adapters the composition root hands to Nest. */
export const RUNTIME = Symbol('RUNTIME');
/** One token per settings section: a class is given the sections it reads, not the runtime. */
export const SETTINGS: { readonly [Section in keyof SettingsSections]: symbol } = {
  process: Symbol('settings.process'),
  http: Symbol('settings.http'),
  streaming: Symbol('settings.streaming'),
  websocket: Symbol('settings.websocket'),
  storage: Symbol('settings.storage'),
  bus: Symbol('settings.bus'),
  workers: Symbol('settings.workers'),
  contracts: Symbol('settings.contracts'),
  auth: Symbol('settings.auth'),
  audit: Symbol('settings.audit'),
  rateLimits: Symbol('settings.rateLimits'),
  metrics: Symbol('settings.metrics'),
  mqtt: Symbol('settings.mqtt'),
  webhooks: Symbol('settings.webhooks'),
  chat: Symbol('settings.chat'),
  graphql: Symbol('settings.graphql'),
  llm: Symbol('settings.llm'),
};
/** The runtime's logger and metrics, for classes that need nothing else of it. */
export const LOGGER = Symbol('LOGGER');
export const METRICS = Symbol('METRICS');
export const LIVE_FEED = Symbol('LIVE_FEED');
/** The Authenticator (HTTP guard and WebSocket upgrades). */
export const AUTHENTICATOR = Symbol('AUTHENTICATOR');
/** This process's TokenRevocations: the Authenticator checks it, admins add to it, sockets are cut on it. */
export const TOKEN_REVOCATIONS = Symbol('TOKEN_REVOCATIONS');
/** The key of ids derived from client input (resolveIdSecret): the same on every api process. */
export const ID_SECRET = Symbol('ID_SECRET');
/** The process's one TimerWheel: keepalives and stream limits of every open stream. */
export const TIMER_WHEEL = Symbol('TIMER_WHEEL');
/** StreamHubs of investigation streams, chat sessions and the feed of every stream. */
export const INVESTIGATION_HUBS = Symbol('INVESTIGATION_HUBS');
export const CHAT_HUBS = Symbol('CHAT_HUBS');
export const FEED_HUBS = Symbol('FEED_HUBS');
