import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { readonly page: 'list' }
  | { readonly page: 'investigation'; readonly id: string }
  | { readonly page: 'replay'; readonly id: string }
  | { readonly page: 'chat' }
  | { readonly page: 'sign-in' };

/** Hash routes, so the API serves one index.html and deep links need no server rule. */
export function routeOf(hash: string): Route {
  const [page, id] = hash.replace(/^#\/?/, '').split('/');
  if (page === 'investigacoes' && id) return { page: 'investigation', id: decodeURIComponent(id) };
  if (page === 'replay' && id) return { page: 'replay', id: decodeURIComponent(id) };
  if (page === 'conversar') return { page: 'chat' };
  if (page === 'entrar') return { page: 'sign-in' };
  return { page: 'list' };
}

export const href = {
  list: '#/',
  investigation: (id: string) => `#/investigacoes/${encodeURIComponent(id)}`,
  replay: (id: string) => `#/replay/${encodeURIComponent(id)}`,
  chat: '#/conversar',
  signIn: '#/entrar',
};

export function useRoute(): Route {
  const [route, setRoute] = useState(routeOf(location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(routeOf(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
