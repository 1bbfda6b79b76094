import { Inject, Injectable } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import type { Observable } from 'rxjs';
import type { StreamHubs } from '#eventsourcing';
import { FINAL_WIRE_TYPES } from '#investigations';
import type { Logger, Principal, Runtime, SseMessage } from '#platform';
import { toErrorResponse } from '../http/api-exception.filter.js';
import { parseOr400 } from '../http/zod-body.js';
import { listInvestigationsSchema } from '../investigations/investigation-list.dto.js';
import { InvestigationList } from '../investigations/investigation-list.js';
import { InvestigationsService } from '../investigations/investigations.service.js';
import { investigationIdSchema } from '../investigations/start-investigation.dto.js';
import { sinkFor } from '../streaming/hub-watch.js';
import type { WireFrame } from '../streaming/wire-frame.js';
import { INVESTIGATION_HUBS, RUNTIME } from '../tokens.js';
import { FrameQueue, queueSink } from './frame-queue.js';
import type { GraphqlEvent, GraphqlOperations } from './graphql-schema.js';

/** Who runs an operation: the caller the HTTP guard or the connection's `connection_init` established. */
export interface GraphqlContext {
  readonly principal: Principal;
}

/**
 * Frames one subscription may hold while its client has not taken them: past it the hub
 * leaves it to catch up from the store later (the list's changes, which have no store
 * behind them here, end with an error that says where to resume).
 */
const QUEUED_FRAMES = 64;

const eventOf = (frame: WireFrame): GraphqlEvent => ({ id: frame.id, ...frame.data });
/** The list stream's messages carry the change's position as their id. */
const listEventOf = (message: SseMessage): GraphqlEvent =>
  ({ id: Number(message.id), ...(message.data as object) }) as GraphqlEvent;

/** The API's error as a GraphQL error: its message, and its error_code and status in extensions. */
export function graphqlErrorOf(error: unknown, logger: Logger): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const { status, body, retryAfter } = toErrorResponse(error);
  if (status >= 500 && status !== 503) logger.error({ err: error }, 'graphql operation failed');
  return new GraphQLError(body.message, {
    extensions: {
      code: body.error_code,
      status,
      ...(retryAfter === undefined ? {} : { retry_after: retryAfter }),
      ...(body.details === undefined ? {} : { details: body.details }),
    },
  });
}

/** The resolvers of /graphql: the same services, read models and hubs as the REST and stream routes. */
@Injectable()
export class GraphqlOperationsService implements GraphqlOperations<GraphqlContext> {
  private readonly logger: Logger;

  constructor(
    private readonly list: InvestigationList,
    private readonly service: InvestigationsService,
    @Inject(INVESTIGATION_HUBS) private readonly hubs: StreamHubs<WireFrame>,
    @Inject(RUNTIME) runtime: Pick<Runtime, 'logger'>,
  ) {
    this.logger = runtime.logger;
  }

  investigations(args: Readonly<Record<string, unknown>>, { principal }: GraphqlContext): Promise<unknown> {
    const given = Object.fromEntries(Object.entries(args).filter(([, value]) => value !== null && value !== undefined));
    return this.guard(() => this.list.page(parseOr400(listInvestigationsSchema, given, 'arguments'), principal));
  }

  investigation(id: string, { principal }: GraphqlContext): Promise<unknown> {
    return this.guard(() => this.service.get(parseOr400(investigationIdSchema, id, 'investigation id'), principal));
  }

  /**
   * The investigation's hub, after `after`: ends after its last event; a stream cut before
   * it (shutdown, store away) ends with an error naming where to resume.
   */
  investigationEvents(id: string, after: number, { principal }: GraphqlContext): Promise<AsyncIterable<GraphqlEvent>> {
    return this.guard(async () => {
      if (!Number.isSafeInteger(after) || after < 0) throw badAfter();
      const investigationId = parseOr400(investigationIdSchema, id, 'investigation id');
      const watch = await this.service.watch(investigationId, after, principal);
      const queue = new FrameQueue<GraphqlEvent>(QUEUED_FRAMES);
      if (watch === null) {
        queue.end();
        return queue;
      }
      let last: GraphqlEvent | null = null;
      const sink = queueSink(queue, (frame: WireFrame) => (last = eventOf(frame)));
      const subscription = this.hubs.subscribe(
        watch.streamId,
        watch.after,
        sinkFor(watch, {
          ...sink,
          end: () =>
            last === null || FINAL_WIRE_TYPES.has(last.type) || watch.control !== undefined
              ? sink.end()
              : sink.error(interrupted(last.id)),
          error: (error) => sink.error(this.failure(error, last?.id ?? after)),
        }),
        watch.control,
      );
      queue.onReturn = () => subscription.unsubscribe();
      return queue;
    });
  }

  /** Each change to a summary the caller may see, after `after` (a position; null: from now on). */
  investigationChanges(
    after: number | null,
    owner: string | undefined,
    { principal }: GraphqlContext,
  ): Promise<AsyncIterable<GraphqlEvent>> {
    return this.guard(async () => {
      if (after !== null && (!Number.isSafeInteger(after) || after < 0)) throw badAfter();
      const changes$: Observable<SseMessage> = await this.list.changes(principal, after, owner);
      const queue = new FrameQueue<GraphqlEvent>(QUEUED_FRAMES);
      let last = after ?? 0;
      const subscription = changes$.subscribe({
        next: (message) => {
          const event = listEventOf(message);
          last = event.id;
          if (queue.push(event)) return;
          subscription.unsubscribe();
          queue.fail(slowClient(last));
        },
        error: (error: unknown) => queue.fail(this.failure(error, last)),
        complete: () => queue.end(),
      });
      queue.onReturn = () => subscription.unsubscribe();
      return queue;
    });
  }

  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw graphqlErrorOf(error, this.logger);
    }
  }

  private failure(error: unknown, lastId: number): GraphQLError {
    const cause = graphqlErrorOf(error, this.logger);
    return new GraphQLError(`${cause.message}; resubscribe with after: ${lastId}`, {
      extensions: { ...cause.extensions, after: lastId },
    });
  }
}

const badAfter = (): GraphQLError =>
  new GraphQLError('after must be a whole number of at least 0', {
    extensions: { code: 'VALIDATION_ERROR', status: 400 },
  });

const interrupted = (lastId: number): GraphQLError =>
  new GraphQLError(`the stream was interrupted (service restart); resubscribe with after: ${lastId}`, {
    extensions: { code: 'STREAM_INTERRUPTED', status: 503, after: lastId },
  });

const slowClient = (lastId: number): GraphQLError =>
  new GraphQLError(`the client reads changes too slowly; resubscribe with after: ${lastId}`, {
    extensions: { code: 'CLIENT_TOO_SLOW', status: 503, after: lastId },
  });
