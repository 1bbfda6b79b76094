import { ChatController } from '../chat/chat.controller.js';
import { EventsStreamController } from '../events/events-stream.controller.js';
import { InvestigationHistoryController } from '../investigations/investigation-history.controller.js';
import { InvestigationListController } from '../investigations/investigation-list.controller.js';
import { InvestigationStreamController } from '../investigations/investigation-stream.controller.js';
import { fastRoute, type FastRoute } from './stream-fast-path.js';

type Query = Record<string, string | undefined>;
const queryOf = (req: { query: unknown }): Query => req.query as Query;
const idOf = (req: { params: unknown }): string => (req.params as Query)['id'] ?? '';

/**
 * The GET stream routes the fast path serves, in the order Nest registers their
 * controllers (AppModule): where two patterns could match one path, the first wins in both.
 * Each calls its controller's handler with what the handler's parameter decorators read.
 */
export const STREAM_ROUTES: readonly FastRoute[] = [
  fastRoute(InvestigationListController, 'stream', (c, req, res) => c.stream(req.query, req, res)),
  fastRoute(InvestigationStreamController, 'stream', (c, req, res) =>
    c.stream(idOf(req), queryOf(req)['last_event_id'], req, res),
  ),
  fastRoute(ChatController, 'resume', (c, req, res) => c.resume(idOf(req), queryOf(req)['last_event_id'], req, res)),
  fastRoute(InvestigationHistoryController, 'replay', (c, req, res) =>
    c.replay(idOf(req), queryOf(req)['speed'], req, res),
  ),
  fastRoute(EventsStreamController, 'stream', (c, req, res) => {
    const query = queryOf(req);
    return c.stream(query['category'], query['type'], query['last_event_id'], req, res);
  }),
];
