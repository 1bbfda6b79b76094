import { askWhoAmI } from './auth/caller';
import { ExpiryNotice } from './auth/expiry-notice';
import { session, signOut, webConfig, type Session } from './auth/session';
import { SignInPage } from './auth/sign-in-page';
import { WhoAmINotice } from './auth/whoami-notice';
import { ChatPage } from './chat/chat-page';
import { t } from './i18n/pt-BR';
import { InvestigationPage } from './investigation/investigation-page';
import { ListPage } from './list/list-page';
import { ReplayPage } from './replay/replay-page';
import { href, useRoute, type Route } from './ui/router';
import { useStore } from './ui/store';

const rolesShown = (current: Session): string =>
  current.caller ? (current.caller.roles.length > 0 ? current.caller.roles.join(', ') : t.signIn.noRole) : '…';

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'list':
      return <ListPage />;
    case 'investigation':
      return <InvestigationPage key={route.id} id={route.id} />;
    case 'replay':
      return <ReplayPage key={route.id} id={route.id} />;
    case 'chat':
      return <ChatPage />;
    case 'sign-in':
      return <SignInPage />;
  }
}

export function App() {
  const route = useRoute();
  const current = useStore(session);
  const config = useStore(webConfig);
  const needsSignIn = config.auth_required && current.token === null && route.page !== 'sign-in';
  return (
    <>
      <a class="skip" href="#conteudo">
        {t.skipToContent}
      </a>
      <header class="top">
        <a class="brand" href={href.list}>
          Cidadão.AI
        </a>
        <nav aria-label="Principal">
          <a href={href.list} aria-current={route.page === 'list' ? 'page' : undefined}>
            {t.nav.list}
          </a>
          <a href={href.chat} aria-current={route.page === 'chat' ? 'page' : undefined}>
            {t.nav.chat}
          </a>
          {current.token ? (
            <button
              type="button"
              class="link"
              data-testid="signed-in-as"
              onClick={() => {
                signOut();
                void askWhoAmI();
              }}
            >
              {t.nav.signOut} ·{' '}
              {t.signIn.as(current.caller?.name ?? current.caller?.user_id ?? '…', rolesShown(current))}
            </button>
          ) : (
            <a href={href.signIn} aria-current={route.page === 'sign-in' ? 'page' : undefined}>
              {t.nav.signIn}
            </a>
          )}
        </nav>
      </header>
      <main id="conteudo" tabIndex={-1}>
        <ExpiryNotice />
        <WhoAmINotice />
        {needsSignIn ? <SignInPage /> : <Page route={route} />}
      </main>
    </>
  );
}
