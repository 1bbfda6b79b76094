import { Module, type DynamicModule } from '@nestjs/common';
import { LiveFeed, type Runtime } from '#platform';
import { HealthController } from './health/health.controller.js';
import { InvestigationStreamController } from './investigations/investigation-stream.controller.js';
import { InvestigationsController } from './investigations/investigations.controller.js';
import { InvestigationsService } from './investigations/investigations.service.js';
import { LIVE_FEED, RUNTIME } from './tokens.js';

@Module({})
export class AppModule {
  /** The runtime (store, bus, metrics, logger) is built outside Nest and handed in. */
  static register(runtime: Runtime, feed: LiveFeed): DynamicModule {
    return {
      module: AppModule,
      controllers: [HealthController, InvestigationsController, InvestigationStreamController],
      providers: [{ provide: RUNTIME, useValue: runtime }, { provide: LIVE_FEED, useValue: feed }, InvestigationsService],
    };
  }
}
