import { Inject, Injectable } from '@nestjs/common';
import { filter, map, type Observable } from 'rxjs';
import {
  INVESTIGATION_SUMMARIES,
  listWireEventOf,
  toInvestigationListItem,
  type InvestigationListItem,
  type InvestigationSummary,
} from '#investigations';
import { scopeOf, type Principal, type Runtime, type SseMessage } from '#platform';
import { RUNTIME } from '../tokens.js';
import { encodeCursor, type ListInvestigationsQuery } from './investigation-list.dto.js';
import { SummaryChanges } from './summary-changes.js';

export interface InvestigationPage {
  readonly items: InvestigationListItem[];
  /** Pass as ?cursor= for the next page; null on the last one. */
  readonly next_cursor: string | null;
  /** Where GET /api/v1/investigations/stream resumes (Last-Event-ID) so no change after this page is missed. */
  readonly last_event_id: number;
}

/** The investigations list and its changes, from the summaries read model, as the viewer may see them. */
@Injectable()
export class InvestigationList {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Pick<Runtime, 'readModels'>,
    private readonly summaries: SummaryChanges,
  ) {}

  async page(query: ListInvestigationsQuery, viewer: Principal): Promise<InvestigationPage> {
    const { readModels } = this.runtime;
    // Read before the page: a change committed in between shows in both, never in neither.
    const position = await this.position();
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

  /** Where the list's changes stand now: a stream opened from now on starts after it. */
  async position(): Promise<number> {
    return (await this.runtime.readModels.checkpoint(INVESTIGATION_SUMMARIES))?.position ?? 0;
  }

  /**
   * Every change to a summary the viewer may see, after `after` (a position; null: from
   * now on), each as the summary's new list item, its id the position of that change.
   */
  async changes(viewer: Principal, after: number | null, requestedOwner?: string): Promise<Observable<SseMessage>> {
    const start = after ?? (await this.position());
    const owner = ownerFilter(viewer, requestedOwner);
    return this.summaries.after(start).pipe(
      filter((document) => owner === undefined || document.index.owner === owner),
      map((document) => ({ id: document.position, data: listWireEventOf(document.doc) })),
    );
  }
}

/** Viewers and analysts see their own; an `owner=` narrows the list only for those who see everyone's. */
function ownerFilter(viewer: Principal, requested: string | undefined): string | undefined {
  return scopeOf(viewer, 'investigation:watch') === 'any' ? requested : viewer.id;
}
