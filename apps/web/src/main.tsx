import { render } from 'preact';
import { App } from './app';
import { completeOidcSignIn } from './auth/oidc';
import { loadWebConfig } from './auth/session';
import './styles.css';

void (async () => {
  await loadWebConfig();
  await completeOidcSignIn();
  render(<App />, document.getElementById('app')!);
})();
