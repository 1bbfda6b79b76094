import { useState } from 'preact/hooks';
import { t } from '../i18n/pt-BR';
import { href } from '../ui/router';
import { useStore } from '../ui/store';
import { startOidcSignIn } from './oidc';
import { signInWith } from './caller';
import { session, webConfig } from './session';

/** Paste a token, or sign in through the configured OIDC provider. */
export function SignInPage() {
  const config = useStore(webConfig);
  const current = useStore(session);
  const [token, setToken] = useState('');
  const submit = (event: Event): void => {
    event.preventDefault();
    if (token.trim() === '') return;
    void signInWith(token.trim());
    location.hash = href.list;
  };
  return (
    <section class="card narrow" aria-labelledby="sign-in-heading">
      <h1 id="sign-in-heading">{t.signIn.heading}</h1>
      <p>{config.auth_required ? t.signIn.required : current.token ? '' : t.signIn.anonymous}</p>
      {current.refused && (
        <p class="error" role="alert" data-testid="sign-in-refused">
          {t.signIn.refused(current.refused)}
        </p>
      )}
      {config.oidc && (
        <p>
          <button type="button" onClick={() => void startOidcSignIn()}>
            {t.signIn.oidc}
          </button>
        </p>
      )}
      <form onSubmit={submit}>
        <label for="token">{t.signIn.token}</label>
        <textarea id="token" rows={4} value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        <p class="help">{t.signIn.tokenHelp}</p>
        <button type="submit">{t.signIn.submit}</button>
      </form>
    </section>
  );
}
