import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { EMPTY, fromEvent, lastValueFrom, takeUntil, toArray } from 'rxjs';
import type { StreamHubs } from '#eventsourcing';
import {
  AGENTS,
  answerTo,
  CHAT_FALLBACK_ENDPOINT,
  emptyChatHistory,
  evolveChatHistory,
  type ChatWireEvent,
} from '#chat';
import type { ChatSettings, Logger } from '#platform';
import { Public } from '../auth/auth.decorators.js';
import { principalOf } from '../auth/principal-of.js';
import { ApiError } from '../http/api-error.js';
import { sendError } from '../http/api-exception.filter.js';
import { callerOf } from '../http/caller.js';
import { parseOr400 } from '../http/zod-body.js';
import { resumeRevision } from '../investigations/investigation-stream.controller.js';
import { SseEndpoints } from '../http/sse-endpoints.js';
import type { HubWatch } from '../streaming/hub-watch.js';
import { WireFrame } from '../streaming/wire-frame.js';
import { CHAT_HUBS, LOGGER, SETTINGS } from '../tokens.js';
import { DocChatAgents, DocChatHistory, DocChatMessage, DocChatResume, DocChatStream } from './chat.docs.js';
import { parseChatRequest, sessionIdSchema } from './chat-request.dto.js';
import type { ChatCredentials } from './chat-session-access.js';
import { SESSION_TOKEN_HEADER, sessionTokenOf } from './chat-session-token.js';
import { ChatService, type SentMessage } from './chat.service.js';

const STREAM_ENDPOINT = '/chat/stream';
const SESSION_STREAM_ENDPOINT = '/chat/sessions/stream';
const sessionLinks = (sessionId: string) => ({
  history_url: `/api/v1/chat/sessions/${sessionId}`,
  stream_url: `/api/v1/chat/sessions/${sessionId}/stream`,
});
const credentialsOf = (req: Request): ChatCredentials => ({
  principal: principalOf(req),
  sessionToken: sessionTokenOf(req),
});

/** The secret of a session started without signing in, sent once: with the session id in `start`, and as a header. */
function handOut(sent: SentMessage, res: Response): HubWatch<WireFrame<ChatWireEvent>> {
  res.setHeader('X-Session-ID', sent.sessionId);
  res.setHeader('X-Message-ID', sent.messageId);
  const { sessionToken } = sent;
  if (sessionToken === null) return sent.watch;
  res.setHeader(SESSION_TOKEN_HEADER, sessionToken);
  const rewrite = (frame: WireFrame<ChatWireEvent>): WireFrame<ChatWireEvent> =>
    frame.data.type === 'start' ? new WireFrame(frame.id, { ...frame.data, session_token: sessionToken }) : frame;
  return { ...sent.watch, rewrite };
}

/**
 * The seed's chat endpoints. They take the caller the guard authenticated (the local
 * anonymous analyst where no token is required, else 401), and a session is its owner's:
 * see ChatSessions.
 */
@Controller('api/v1/chat')
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    private readonly sse: SseEndpoints,
    @Inject(SETTINGS.chat) private readonly settings: ChatSettings,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CHAT_HUBS) private readonly hubs: StreamHubs<WireFrame<ChatWireEvent>>,
  ) {}

  /** Opens the SSE stream only once the bus accepted the message. */
  @Post('stream')
  @DocChatStream()
  async stream(@Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    let release: (() => void) | null = null;
    try {
      const request = parseChatRequest(body, this.settings.maxMessageLength);
      release = this.sse.admit(req, STREAM_ENDPOINT);
      const sent = await this.chat.send(request, callerOf(req), sessionTokenOf(req));
      this.sse.follow(res, this.hubs, handOut(sent, res), {
        endpoint: STREAM_ENDPOINT,
        release,
        fallbackEndpoint: CHAT_FALLBACK_ENDPOINT,
        logContext: { sessionId: sent.sessionId },
      });
    } catch (error) {
      release?.();
      sendError(res, error, this.logger, req);
    }
  }

  /** The same conversation without streaming: one JSON answer once the reply is complete. */
  @Post('message')
  @DocChatMessage()
  async message(@Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    try {
      const request = parseChatRequest(body, this.settings.maxMessageLength);
      const sent = await this.chat.send(request, callerOf(req), sessionTokenOf(req));
      if (sent.sessionToken !== null) res.setHeader(SESSION_TOKEN_HEADER, sent.sessionToken);
      const events = await lastValueFrom(sent.events$.pipe(takeUntil(fromEvent(res, 'close')), toArray()));
      const answer = answerTo(events.reduce(evolveChatHistory, emptyChatHistory(sent.sessionId)), sent.messageId);
      if (!answer || answer.status === 'answering') return;
      if (answer.error) throw new ApiError(503, answer.error.error_code, answer.error.message, undefined, 5);
      res.status(200).json({
        session_id: sent.sessionId,
        message_id: sent.messageId,
        agent_id: answer.agent_id,
        agent_name: answer.agent_name,
        message: answer.content,
        intent: answer.intent,
        confidence: answer.confidence,
        total_tokens: answer.total_tokens,
        investigation_id: answer.investigation_id,
        timestamp: answer.timestamp,
        ...(sent.sessionToken === null ? {} : { session_token: sent.sessionToken }),
        ...sessionLinks(sent.sessionId),
      });
    } catch (error) {
      sendError(res, error, this.logger, req);
    }
  }

  @Get('sessions/:id')
  @DocChatHistory()
  async history(@Param('id') id: string, @Req() req: Request) {
    const sessionId = parseOr400(sessionIdSchema, id, 'session id');
    return { ...(await this.chat.history(sessionId, credentialsOf(req))), ...sessionLinks(sessionId) };
  }

  /** Replays a session, or resumes a cut-off answer after Last-Event-ID, ending once every answer is complete. */
  @Get('sessions/:id/stream')
  @DocChatResume()
  async resume(
    @Param('id') id: string,
    @Query('last_event_id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    let release: (() => void) | null = null;
    try {
      const sessionId = parseOr400(sessionIdSchema, id, 'session id');
      this.sse.assertEnabled();
      const watch = await this.chat.replay(sessionId, resumeRevision(req, lastEventId), credentialsOf(req));
      release = this.sse.admit(req, SESSION_STREAM_ENDPOINT);
      const options = {
        endpoint: SESSION_STREAM_ENDPOINT,
        release,
        fallbackEndpoint: CHAT_FALLBACK_ENDPOINT,
        logContext: { sessionId },
      };
      if (watch === null) this.sse.write(res, EMPTY, options);
      else this.sse.follow(res, this.hubs, watch, options);
    } catch (error) {
      release?.();
      sendError(res, error, this.logger, req);
    }
  }

  /** The registry is documentation: open to all, like /api/docs. */
  @Get('agents')
  @Public()
  @DocChatAgents()
  agents() {
    return {
      agents: AGENTS.map((a) => ({ agent_id: a.id, agent_name: a.name, role: a.role, description: a.description })),
    };
  }
}
