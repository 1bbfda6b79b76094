import { ChatController } from '../chat/chat.controller.js';
import { EventsStreamController } from '../events/events-stream.controller.js';
import { InvestigationHistoryController } from '../investigations/investigation-history.controller.js';
import { InvestigationListController } from '../investigations/investigation-list.controller.js';
import { InvestigationStreamController } from '../investigations/investigation-stream.controller.js';
import { StreamsController } from '../streams/streams.controller.js';
import { fastRoute, type FastRoute } from './stream-fast-path.js';

/**
 * The stream routes the fast path serves, in the order Nest registers their controllers
 * (AppModule): where two patterns could match one path, the first wins in both. Each calls
 * its controller's handler with what the handler's parameter decorators read; a POST's body
 * is parsed first, as Express would.
 */
export const STREAM_ROUTES: readonly FastRoute[] = [
  fastRoute(InvestigationListController, 'stream'),
  fastRoute(InvestigationStreamController, 'stream'),
  fastRoute(ChatController, 'stream'),
  fastRoute(ChatController, 'resume'),
  fastRoute(InvestigationHistoryController, 'replay'),
  fastRoute(EventsStreamController, 'stream'),
  fastRoute(StreamsController, 'stream'),
];
