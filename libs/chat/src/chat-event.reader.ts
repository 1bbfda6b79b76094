import { categoryReader } from '#eventsourcing';
import { chatEventCatalog } from './chat.catalog.js';
import { CHAT_CATEGORY } from './chat.events.js';

/** The one place the read models turn a stored event into a chat event. */
export const readChatEvent = categoryReader(CHAT_CATEGORY, chatEventCatalog);
