import { t } from '../i18n/pt-BR';
import { useStore } from '../ui/store';
import { askWhoAmI } from './caller';
import { session } from './session';

/** GET /api/v1/auth/me went unanswered: the roles are unknown (not none) until a retry gets the answer. */
export function WhoAmINotice() {
  const current = useStore(session);
  if (current.unanswered === null) return null;
  return (
    <p class="note session-ended" role="alert" data-testid="whoami-failed">
      {t.session.whoAmIFailed(current.unanswered)}{' '}
      <button type="button" onClick={() => void askWhoAmI()}>
        {t.session.retry}
      </button>
    </p>
  );
}
