import { Subject, type Observable, type Subscription } from 'rxjs';
import {
  evolveRevocations,
  isTokenRevoked,
  isUserTokensRevoked,
  revocationInstant,
  TOKEN_REVOCATIONS_STREAM,
  type Revocations,
  type UserTokensRevoked,
  type UserTokensRevokedData,
} from '#audit';
import type { EventStore, RecordedEvent } from '#eventsourcing';
import { newId } from '../ids/ids.js';
import type { RevocationCheck } from './authenticator.js';
import type { Principal } from './principal.js';

export interface RevokeTokens {
  readonly userId: string;
  readonly revokedBy: string;
  readonly reason: string | null;
  readonly correlationId: string;
  readonly now?: Date;
}

/**
 * The revocation list of one api process, folded from the event store: the whole
 * `access-revocations` stream at start, then every revocation any process appends, from
 * the store's live subscription. The process that revokes applies its own event at once,
 * so its next request already sees it; the others within the live feed's latency.
 */
export class TokenRevocations implements RevocationCheck {
  private state: Revocations = new Map();
  private live: Subscription | null = null;
  private readonly changes = new Subject<UserTokensRevokedData>();
  /** Each revocation that changed this process's list, once: open connections of that user are cut on it. */
  readonly revoked$: Observable<UserTokensRevokedData> = this.changes.asObservable();

  private constructor(private readonly store: EventStore) {}

  static async open(store: EventStore): Promise<TokenRevocations> {
    const revocations = new TokenRevocations(store);
    // Live first, then history: an append between the two is seen at least once, and
    // folding a revocation twice changes nothing.
    revocations.live = store.subscribe().subscribe({ next: (event) => revocations.apply(event) });
    for (const event of await store.readStream(TOKEN_REVOCATIONS_STREAM)) revocations.apply(event);
    return revocations;
  }

  isRevoked(principal: Principal): boolean {
    return !principal.anonymous && isTokenRevoked(this.state, principal.id, principal.issuedAt);
  }

  async revoke({
    userId,
    revokedBy,
    reason,
    correlationId,
    now = new Date(),
  }: RevokeTokens): Promise<UserTokensRevokedData> {
    const event: UserTokensRevoked = {
      type: 'UserTokensRevoked',
      data: { userId, revokedBefore: revocationInstant(now), revokedBy, reason },
    };
    const commandId = newId();
    await this.store.appendToStream(
      TOKEN_REVOCATIONS_STREAM,
      [
        {
          ...event,
          metadata: { eventId: newId(), commandId, correlationId, userId: revokedBy, occurredAt: now.toISOString() },
        },
      ],
      'any',
    );
    this.fold(event);
    return event.data;
  }

  close(): void {
    this.live?.unsubscribe();
    this.live = null;
    this.changes.complete();
  }

  private apply(event: RecordedEvent): void {
    if (event.streamId === TOKEN_REVOCATIONS_STREAM && isUserTokensRevoked(event)) this.fold(event);
  }

  private fold(event: UserTokensRevoked): void {
    const next = evolveRevocations(this.state, event);
    if (next === this.state) return;
    this.state = next;
    this.changes.next(event.data);
  }
}
