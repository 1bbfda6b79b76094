import type { InvestigationPreview, StartInvestigationRequest } from '@cidadao-ai/client';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';

/** Typing pauses this long before the query is read again. */
const DEBOUNCE_MS = 300;
/** The start route refuses shorter queries, and so does the preview. */
const MIN_QUERY = 3;

export type PreviewState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'reading' }
  | { readonly kind: 'ready'; readonly preview: InvestigationPreview }
  | { readonly kind: 'failed'; readonly message: string };

/**
 * What the server reads from the form as the user types (debounced): the filters of the query
 * and Abaporu's plan, the same reading the worker makes once started. Only the answer to the
 * latest request is shown; an older one in flight is aborted.
 */
export function usePreview(): [PreviewState, (request: StartInvestigationRequest) => void] {
  const [state, setState] = useState<PreviewState>({ kind: 'idle' });
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const inFlight = useRef<AbortController | null>(null);
  useEffect(
    () => () => {
      clearTimeout(timer.current);
      inFlight.current?.abort();
    },
    [],
  );
  const schedule = (request: StartInvestigationRequest): void => {
    clearTimeout(timer.current);
    inFlight.current?.abort();
    if (request.query.length < MIN_QUERY) {
      setState({ kind: 'idle' });
      return;
    }
    setState((before) => (before.kind === 'ready' ? before : { kind: 'reading' }));
    timer.current = setTimeout(() => {
      const abort = new AbortController();
      inFlight.current = abort;
      api()
        .previewInvestigation(request, abort.signal)
        .then(
          (preview) => abort.signal.aborted || setState({ kind: 'ready', preview }),
          (error: unknown) =>
            abort.signal.aborted ||
            setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }),
        );
    }, DEBOUNCE_MS);
  };
  return [state, schedule];
}
