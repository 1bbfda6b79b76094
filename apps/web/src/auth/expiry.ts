/** The notice shows this long before the token expires. */
export const WARN_BEFORE_MS = 120_000;

/** Where the token stands: fine, expiring at `at`, past its expiry, or refused by the server (401). */
export type TokenState =
  | { readonly kind: 'fine' }
  | { readonly kind: 'expiring'; readonly at: number }
  | { readonly kind: 'expired' }
  | { readonly kind: 'refused' };

export interface TokenFacts {
  readonly token: string | null;
  readonly expiresAt: number | null;
  readonly rejected: boolean;
}

export function tokenState(facts: TokenFacts, now: number): TokenState {
  if (facts.token === null) return { kind: 'fine' };
  if (facts.rejected) return { kind: 'refused' };
  if (facts.expiresAt === null) return { kind: 'fine' };
  if (now >= facts.expiresAt) return { kind: 'expired' };
  if (now >= facts.expiresAt - WARN_BEFORE_MS) return { kind: 'expiring', at: facts.expiresAt };
  return { kind: 'fine' };
}

/** Milliseconds until tokenState changes by the clock alone; null when only an event can change it. */
export function untilNextChange(facts: TokenFacts, now: number): number | null {
  if (facts.token === null || facts.rejected || facts.expiresAt === null) return null;
  const next = [facts.expiresAt - WARN_BEFORE_MS, facts.expiresAt].find((at) => at > now);
  return next === undefined ? null : next - now;
}
