import { CidadaoApiError, type InvestigationSummary } from '@cidadao-ai/client';
import { api } from '../api';

const QUEUED_RETRIES = 40;

/**
 * The investigation once Abaporu has planned it: its summary after the first phase began (the
 * plan comes before any phase), with the filters the planner read from the query. A queued
 * investigation answers 404 until a worker takes it, so that is waited out.
 */
export async function plannedSummary(id: string, signal: AbortSignal): Promise<InvestigationSummary> {
  for (let attempt = 0; ; attempt++) {
    try {
      for await (const { message } of api().investigationEvents(id, { signal })) {
        if (message.type !== 'progress') break;
      }
      return await api().getInvestigation(id, signal);
    } catch (error) {
      const queued = error instanceof CidadaoApiError && error.status === 404 && attempt < QUEUED_RETRIES;
      if (!queued || signal.aborted) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
