import { render } from 'preact';
import { App } from './app';
import { completeOidcSignIn } from './auth/oidc';
import { askWhoAmI } from './auth/caller';
import { loadWebConfig } from './auth/session';
import './styles.css';

void (async () => {
  await loadWebConfig();
  await completeOidcSignIn();
  void askWhoAmI();
  render(<App />, document.getElementById('app')!);
})();
