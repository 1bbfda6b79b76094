/** How fast a consumer takes events: the producer asks before each one. */
export interface Pacing {
  /** Null when the consumer takes another event now; else a promise for when it does (or is gone). */
  ready(): Promise<void> | null;
}
