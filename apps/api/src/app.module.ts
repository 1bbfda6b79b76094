import { Module, type DynamicModule } from '@nestjs/common';
import { resolveIdSecret, type Authenticator, type Runtime, type TokenRevocations } from '#platform';
import { LiveFeed } from '#eventsourcing';
import { AdminController } from './admin/admin.controller.js';
import { WebhookRegistrations } from './webhooks/webhook-registrations.js';
import { WebhooksController } from './webhooks/webhooks.controller.js';
import { ObservabilityController } from './observability/observability.controller.js';
import { auditControllers, auditProviders } from './audit/audit.providers.js';
import { accessProviders } from './auth/access.providers.js';
import { chatControllers, chatProviders } from './chat/chat.providers.js';
import { CallerController } from './auth/caller.controller.js';
import { AsyncApiController } from './docs/asyncapi.controller.js';
import { GraphqlEndpoint } from './graphql/graphql-endpoint.js';
import { GraphqlOperationsService } from './graphql/graphql-operations.js';
import { GraphqlController } from './graphql/graphql.controller.js';
import { HealthController } from './health/health.controller.js';
import { InvestigationList } from './investigations/investigation-list.js';
import { SummaryChanges } from './investigations/summary-changes.js';
import { InvestigationListController } from './investigations/investigation-list.controller.js';
import { InvestigationStreamController } from './investigations/investigation-stream.controller.js';
import { InvestigationsController } from './investigations/investigations.controller.js';
import { InvestigationsService } from './investigations/investigations.service.js';
import { LifecycleModule } from './lifecycle/lifecycle.module.js';
import { settingsProviders } from './settings.providers.js';
import { AUTHENTICATOR, ID_SECRET, LIVE_FEED, LOGGER, METRICS, RUNTIME, TOKEN_REVOCATIONS } from './tokens.js';
import { MultiplexedStreams } from './streams/multiplexed-streams.js';
import { StreamOpenings } from './streams/stream-openings.js';
import { StreamsController } from './streams/streams.controller.js';
import { streamHubProviders } from './streaming/stream-hubs.providers.js';
import { websocketProviders } from './websocket/websocket.providers.js';

@Module({})
export class AppModule {
  /**
   * The runtime (store, bus, metrics, logger) and the authenticator are built outside Nest
   * and handed in: a bad setting then fails with its message, not a Nest abort.
   */
  static register(
    runtime: Runtime,
    feed: LiveFeed,
    authenticator: Authenticator,
    revocations: TokenRevocations,
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [LifecycleModule],
      controllers: [
        HealthController,
        // Before InvestigationsController: its GET :id would take /investigations/stream.
        InvestigationListController,
        InvestigationsController,
        InvestigationStreamController,
        ...chatControllers,
        ...auditControllers,
        AdminController,
        WebhooksController,
        CallerController,
        ObservabilityController,
        AsyncApiController,
        GraphqlController,
        StreamsController,
      ],
      providers: [
        { provide: RUNTIME, useValue: runtime },
        ...settingsProviders(runtime.settings),
        { provide: LOGGER, useValue: runtime.logger },
        { provide: METRICS, useValue: runtime.metrics },
        { provide: LIVE_FEED, useValue: feed },
        { provide: AUTHENTICATOR, useValue: authenticator },
        { provide: TOKEN_REVOCATIONS, useValue: revocations },
        { provide: ID_SECRET, useValue: resolveIdSecret(runtime.settings).secret },
        ...streamHubProviders,
        ...accessProviders,
        ...auditProviders,
        InvestigationsService,
        InvestigationList,
        SummaryChanges,
        GraphqlOperationsService,
        GraphqlEndpoint,
        WebhookRegistrations,
        ...chatProviders,
        StreamOpenings,
        MultiplexedStreams,
        ...websocketProviders(runtime.settings.websocket),
      ],
    };
  }
}
