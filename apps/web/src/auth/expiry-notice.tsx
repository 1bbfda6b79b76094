import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/pt-BR';
import { href } from '../ui/router';
import { useStore } from '../ui/store';
import { tokenState, untilNextChange, type TokenState } from './expiry';
import { startOidcSignIn } from './oidc';
import { session, webConfig } from './session';

/** setTimeout's longest delay; a later change is simply looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Where the signed-in token stands, re-read when the session changes and at each change the clock brings. */
function useTokenState(): TokenState {
  const current = useStore(session);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const wait = untilNextChange(current, Date.now());
    if (wait === null) return undefined;
    const timer = setTimeout(() => setTick((n) => n + 1), Math.min(wait, MAX_TIMER_MS));
    return () => clearTimeout(timer);
  }, [current, tick]);
  return tokenState(current, Date.now());
}

function message(state: TokenState): string {
  switch (state.kind) {
    case 'expiring':
      return t.session.expiresAt(new Date(state.at).toLocaleTimeString('pt-BR'));
    case 'expired':
      return t.session.expired;
    default:
      return t.session.refused;
  }
}

/** Before the token expires, once it has, or once the server refused it: says so and offers to sign in again. */
export function ExpiryNotice() {
  const state = useTokenState();
  const config = useStore(webConfig);
  if (state.kind === 'fine') return null;
  const urgent = state.kind !== 'expiring';
  return (
    <p
      class={urgent ? 'note session-ended' : 'note'}
      role={urgent ? 'alert' : 'status'}
      data-testid="token-expiry"
      data-state={state.kind}
    >
      {message(state)}{' '}
      {config.oidc ? (
        <button type="button" onClick={() => void startOidcSignIn()}>
          {t.session.signInAgain}
        </button>
      ) : (
        <a href={href.signIn}>{t.session.signInAgain}</a>
      )}
    </p>
  );
}
