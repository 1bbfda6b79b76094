import { Inject, Injectable } from '@nestjs/common';
import { filter, map, merge, Observable, timer } from 'rxjs';
import { checkpointReached, type LiveFeed, type StoredDocument } from '#eventsourcing';
import {
  INVESTIGATION_CATEGORY,
  INVESTIGATION_SUMMARIES,
  listWireEventOf,
  toInvestigationListItem,
  type InvestigationListItem,
  type InvestigationSummary,
} from '#investigations';
import { scopeOf, type Principal, type Runtime, type SseMessage } from '#platform';
import { LIVE_FEED, RUNTIME } from '../tokens.js';
import { encodeCursor, type ListInvestigationsQuery } from './investigation-list.dto.js';

export interface InvestigationPage {
  readonly items: InvestigationListItem[];
  /** Pass as ?cursor= for the next page; null on the last one. */
  readonly next_cursor: string | null;
  /** Where GET /api/v1/investigations/stream resumes (Last-Event-ID) so no change after this page is missed. */
  readonly last_event_id: number;
}

const CHANGES_PAGE = 200;
/** A projector in another process may write after this api saw the event: how long a wake-up waits for it. */
const PROJECTION_WAIT_MS = 2_000;
/** Safety net for a wake-up that came before its change was committed, or none at all. */
const POLL_MS = 2_000;

/** The investigations list and its changes, from the summaries read model, as the viewer may see them. */
@Injectable()
export class InvestigationList {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(LIVE_FEED) private readonly feed: LiveFeed,
  ) {}

  async page(query: ListInvestigationsQuery, viewer: Principal): Promise<InvestigationPage> {
    const { readModels } = this.runtime;
    // Read before the page: a change committed in between shows in both, never in neither.
    const position = (await readModels.checkpoint(INVESTIGATION_SUMMARIES))?.position ?? 0;
    const owner = ownerFilter(viewer, query.owner);
    const found = await readModels.list<InvestigationSummary>({
      collection: INVESTIGATION_SUMMARIES,
      ...(owner === undefined ? {} : { owner }),
      ...(query.status ? { status: query.status } : {}),
      ...(query.since ? { since: query.since } : {}),
      ...(query.until ? { until: query.until } : {}),
      ...(query.q ? { text: query.q.toLowerCase() } : {}),
      ...(query.cursor ? { after: query.cursor } : {}),
      limit: query.limit + 1,
    });
    const page = found.slice(0, query.limit);
    const last = page.at(-1);
    const more = found.length > query.limit && last !== undefined;
    return {
      items: page.map((document) => toInvestigationListItem(document.doc)),
      next_cursor: more ? encodeCursor({ sortAt: last.index.sortAt ?? '', id: last.id }) : null,
      last_event_id: position,
    };
  }

  /**
   * Every change to a summary the viewer may see, after `after` (a position; null: from
   * now on), each as the summary's new list item, its id the position of that change.
   */
  async changes(viewer: Principal, after: number | null, requestedOwner?: string): Promise<Observable<SseMessage>> {
    const { readModels } = this.runtime;
    const start = after ?? (await readModels.checkpoint(INVESTIGATION_SUMMARIES))?.position ?? 0;
    const owner = ownerFilter(viewer, requestedOwner);
    const visible = (document: StoredDocument<InvestigationSummary>) =>
      owner === undefined || document.index.owner === owner;
    const wakes$ = merge(
      this.feed.all().pipe(
        filter((event) => event.streamId.startsWith(`${INVESTIGATION_CATEGORY}-`)),
        map((event) => event.position),
      ),
      timer(0, POLL_MS).pipe(map(() => 0)),
    );
    return new Observable<SseMessage>((subscriber) => {
      let cursor = start;
      let wanted = 0;
      let pulling = false;
      let again = false;
      let closed = false;
      const pull = async (): Promise<void> => {
        if (pulling) {
          again = true;
          return;
        }
        pulling = true;
        try {
          do {
            again = false;
            if (wanted > cursor)
              await checkpointReached(readModels, INVESTIGATION_SUMMARIES, wanted, { timeoutMs: PROJECTION_WAIT_MS });
            for (let more = true; more && !closed;) {
              const changed = await readModels.changes<InvestigationSummary>(
                INVESTIGATION_SUMMARIES,
                cursor,
                CHANGES_PAGE,
              );
              for (const document of changed) {
                cursor = document.position;
                if (!closed && visible(document))
                  subscriber.next({
                    id: document.position,
                    data: listWireEventOf(document.doc),
                  });
              }
              more = changed.length === CHANGES_PAGE;
            }
          } while (again && !closed);
        } catch (error) {
          subscriber.error(error);
        } finally {
          pulling = false;
        }
      };
      const wakes = wakes$.subscribe((position) => {
        wanted = Math.max(wanted, position);
        void pull();
      });
      return () => {
        closed = true;
        wakes.unsubscribe();
      };
    });
  }
}

/** Viewers and analysts see their own; an `owner=` narrows the list only for those who see everyone's. */
function ownerFilter(viewer: Principal, requested: string | undefined): string | undefined {
  return scopeOf(viewer, 'investigation:watch') === 'any' ? requested : viewer.id;
}
