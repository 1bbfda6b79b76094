import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { StreamingSettings } from '#platform';
import { principalOf } from '../auth/principal-of.js';
import { ApiError } from '../http/api-error.js';
import { SseEndpoints } from '../http/sse-endpoints.js';
import { parseOr400 } from '../http/zod-body.js';
import { SETTINGS } from '../tokens.js';
import { MuxConnection, type MuxOpening } from './mux-connection.js';
import { decodeCursor } from './stream-cursor.js';
import { parseStreamList, parseSubscribeQuery, streamKey, type StreamName } from './stream-names.js';
import { StreamOpenings } from './stream-openings.js';

export const STREAMS_ENDPOINT = '/streams';
export const controlUrlOf = (id: string): string => `/api/v1/streams/${id}`;

const nameList = z.array(z.string().max(300)).max(1000).default([]);
export const streamChangesSchema = z
  .object({ subscribe: nameList, unsubscribe: nameList })
  .strict()
  .refine(
    (body) => body.subscribe.length + body.unsubscribe.length > 0,
    'name at least one stream to subscribe or unsubscribe',
  );

export interface ConnectionState {
  readonly connection_id: string;
  readonly control_url: string;
  readonly streams: string[];
}

/** The multiplexed SSE connections of this process, each changed through its control URL by the user who opened it. */
@Injectable()
export class MultiplexedStreams {
  private readonly connections = new Map<string, MuxConnection>();

  constructor(
    private readonly openings: StreamOpenings,
    private readonly sse: SseEndpoints,
    @Inject(SETTINGS.streaming) private readonly streaming: StreamingSettings,
  ) {}

  /** Authorises and places every stream, then opens the response: any error is answered before the stream starts. */
  async open(req: Request, res: Response, subscribe: unknown, lastEventId: string | undefined): Promise<void> {
    this.sse.assertEnabled();
    const names = parseSubscribeQuery(subscribe);
    this.assertCap(names.length);
    const positions = this.resumedPositions(req, lastEventId, names);
    const openings = await this.openAll(names, positions, req);
    const release = this.sse.admit(req, STREAMS_ENDPOINT);
    const id = randomUUID();
    res.setHeader('X-Stream-Control', controlUrlOf(id));
    const sink = this.sse.open(res, { endpoint: STREAMS_ENDPOINT, release, fallbackEndpoint: '/api/v1/streams' });
    const connection = new MuxConnection(id, principalOf(req).id, controlUrlOf, sink, positions, (closed) =>
      this.connections.delete(closed.id),
    );
    this.connections.set(id, connection);
    sink.attach(connection);
    connection.add(openings);
  }

  /** Applies `{subscribe, unsubscribe}` to a connection: unsubscribes first; nothing changes when any stream is refused. */
  async change(id: string, body: unknown, req: Request): Promise<ConnectionState> {
    const connection = this.connections.get(id);
    if (!connection)
      throw new ApiError(404, 'CONNECTION_NOT_FOUND', `no open multiplexed connection ${id} on this server`);
    if (connection.ownerId !== principalOf(req).id)
      throw new ApiError(403, 'FORBIDDEN', `only the user who opened connection ${id} may change its streams`);
    const changes = parseOr400(streamChangesSchema, body, 'body');
    const removed = parseStreamList(changes.unsubscribe, 'unsubscribe').map(streamKey);
    const kept = connection.streams.filter((key) => !removed.includes(key));
    const added = parseStreamList(changes.subscribe, 'subscribe').filter((name) => !kept.includes(streamKey(name)));
    this.assertCap(kept.length + added.length);
    const openings = await this.openAll(added, connection.cursor, req);
    if (!this.connections.has(id)) throw new ApiError(404, 'CONNECTION_NOT_FOUND', `connection ${id} closed meanwhile`);
    for (const key of removed) connection.remove(key);
    connection.add(openings);
    return { connection_id: id, control_url: controlUrlOf(id), streams: connection.streams };
  }

  private async openAll(
    names: readonly StreamName[],
    positions: ReadonlyMap<string, number>,
    req: Request,
  ): Promise<MuxOpening[]> {
    const openings: MuxOpening[] = [];
    // One at a time: the first refused stream is the one the error names.
    for (const name of names) openings.push(await this.openings.open(name, positions.get(streamKey(name)), req));
    return openings;
  }

  private assertCap(count: number): void {
    const max = this.streaming.maxStreamsPerConnection;
    if (count > max)
      throw new ApiError(
        400,
        'TOO_MANY_STREAMS',
        `${count} streams asked; one connection carries at most ${max} (SSE_MAX_STREAMS_PER_CONNECTION)`,
      );
  }

  /**
   * The cursor's positions: those of the listed streams, and as many of the others as the
   * cap again, so a client that reconnects with its first list (a browser's EventSource)
   * and subscribes again through the control URL resumes those too.
   */
  private resumedPositions(
    req: Request,
    queryValue: string | undefined,
    names: readonly StreamName[],
  ): Map<string, number> {
    const header = req.header('last-event-id');
    const raw = header ?? queryValue;
    if (raw === undefined || raw === '') return new Map();
    const decoded = decodeCursor(raw, header === undefined ? 'last_event_id' : 'Last-Event-ID header');
    const listed = new Set(names.map(streamKey));
    const positions = new Map<string, number>();
    let carried = 0;
    for (const [key, position] of decoded) {
      if (listed.has(key)) positions.set(key, position);
      else if (carried++ < this.streaming.maxStreamsPerConnection) positions.set(key, position);
    }
    return positions;
  }
}
