import type { Provider, Type } from '@nestjs/common';
import { createLlmProviders, type LlmSettings, type Logger } from '#platform';
import { LOGGER, SETTINGS } from '../tokens.js';
import { ChatController } from './chat.controller.js';
import { ChatService } from './chat.service.js';
import { ChatSessions } from './chat-sessions.js';
import { LLM_PROVIDERS } from './chat.tokens.js';
import { MaritacaDirectController } from './maritaca-direct.controller.js';

export const chatControllers: Type[] = [ChatController, MaritacaDirectController];

export const chatProviders: Provider[] = [
  ChatService,
  ChatSessions,
  {
    provide: LLM_PROVIDERS,
    useFactory: (llm: LlmSettings, logger: Logger) => createLlmProviders(llm, logger.child({ component: 'llm' })),
    inject: [SETTINGS.llm, LOGGER],
  },
];
