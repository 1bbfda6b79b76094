export * from './event-store/event-store.factory.js';
export * from './event-store/sqlite/sqlite-event-store.js';
export * from './event-store/postgres/postgres-event-store.js';
export * from './event-store/kurrentdb/kurrentdb-event-store.js';
export * from './command-bus/command-bus.port.js';
export * from './command-bus/command-bus.errors.js';
export {
  InProcessCommandBus,
  type InProcessCommandBusOptions,
} from './command-bus/in-process/in-process-command-bus.js';
export {
  SqliteCommandJournal,
  type CommandJournal,
  type PendingCommand,
} from './command-bus/in-process/command-journal.js';
export { JetStreamCommandBus } from './command-bus/jetstream/jetstream-command-bus.js';
export type { JetStreamCommandBusOptions } from './command-bus/jetstream/jetstream-options.js';
export * from './metrics/metrics.js';
export * from './logging/logger.js';
export * from './config/settings.js';
export * from './config/settings-sections.js';
export * from './config/port-range.js';
export * from './config/trust-proxy.js';
export * from './config/address-ranges.js';
export * from './config/cors-origins.js';
export * from './streaming/pacing.js';
export * from './streaming/sse.js';
export * from './streaming/retry-jitter.js';
export * from './streaming/sse-sink.js';
export * from './streaming/timer-wheel.js';
export * from './metrics/batched-counter.js';
export * from './streaming/stream-limits.js';
export * from './streaming/stream-admission.js';
export * from './streaming/accept-encoding.js';
export * from './streaming/streaming-compression.middleware.js';
export * from './streaming/event-id.js';
export * from './logging/pino-logger.js';
export * from './ids/ids.js';
export * from './memory/flat-string.js';
export * from './memory/sent-headers.js';
export * from './runtime/runtime.js';
export * from './runtime/startup-failure.js';
export * from './auth/principal.js';
export * from './auth/role-claims.js';
export * from './auth/permissions.js';
export * from './auth/auth.errors.js';
export * from './auth/token-verifier.js';
export * from './auth/jose-token-verifier.js';
export * from './auth/dev-secret.js';
export * from './auth/id-secret.js';
export * from './auth/auth-mode.js';
export * from './auth/token-signer.js';
export * from './auth/authenticator.js';
export * from './auth/token-revocations.js';
export * from './metrics/metrics-server.js';
export * from './lifecycle/graceful-shutdown.js';
export * from './llm/llm.port.js';
export * from './llm/llm.errors.js';
export * from './llm/llm-prices.js';
export { OpenAiCompatibleClient, type OpenAiCompatibleOptions } from './llm/openai-compatible.client.js';
export { createLlmProviders, type LlmProviders } from './llm/llm-providers.js';
export * from './websocket/message-batcher.js';
export * from './websocket/upgrade-response.js';
export * from './websocket/presence-channel.js';
export {
  PortalTransparenciaSource,
  PORTAL_TRANSPARENCIA_BASE_URL,
  type PortalTransparenciaOptions,
} from './contract-sources/portal-transparencia/portal-transparencia-source.js';
export {
  PortalTransparenciaError,
  type PortalErrorCode,
} from './contract-sources/portal-transparencia/portal-transparencia.errors.js';
export {
  FileContractSource,
  formatFromPath,
  type ContractFileFormat,
  type FileContractSourceOptions,
} from './contract-sources/file/file-contract-source.js';
export { FileContractSourceError } from './contract-sources/file/file-source.errors.js';
export { toContract, ContractRecordError } from './contract-sources/shared/contract-record.mapper.js';
export * from './audit/audit-log.errors.js';
export * from './audit/audit-log.port.js';
export * from './audit/audit-log.factory.js';
export { PostgresAuditLog } from './audit/postgres-audit-log.js';
export { SqliteAuditLog } from './audit/sqlite-audit-log.js';
export * from './audit/audit-anchor.js';
export * from './audit/audit-checkpoints.js';
export * from './audit/audit-keyring.source.js';
export * from './mqtt/mqtt-link.js';
export * from './mqtt/mqtt-bridge.js';
export * from './mqtt/mqtt-bridge.factory.js';
export { deviceFeed } from './mqtt/device-feed.js';
export * from './relay/event-relay.js';
export * from './relay/audit-relay.js';
export * from './relay/jetstream-relay.js';
export type * from './relay/relay-source.js';
export * from './rate-limits/rate-budgets.js';
export * from './rate-limits/counts-by-key.js';
export * from './health/readiness.js';
export * from './resilience/storage-outage.js';
export * from './resilience/backoff.js';
export * from './read-models/read-model-store.factory.js';
export { SqliteReadModelStore } from './read-models/sqlite-read-model-store.js';
export { PostgresReadModelStore } from './read-models/postgres-read-model-store.js';
export * from './read-models/projector-leases.js';
export * from './webhooks/webhook-sender.js';
export * from './webhooks/webhook-egress.js';
export * from './webhooks/webhook-delivery-log.js';
export * from './webhooks/webhook-dispatcher.js';
