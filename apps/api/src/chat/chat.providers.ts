import type { Provider, Type } from '@nestjs/common';
import { createLlmProviders, type Runtime } from '#platform';
import { RUNTIME } from '../tokens.js';
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
    useFactory: (runtime: Runtime) => createLlmProviders(runtime.settings, runtime.logger.child({ component: 'llm' })),
    inject: [RUNTIME],
  },
];
