import { describe, expect, it } from '@jest/globals';
import { href, routeOf } from './router';

describe('hash routes', () => {
  it('reads every page and its id back from the links the app writes', () => {
    expect(routeOf('')).toEqual({ page: 'list' });
    expect(routeOf(href.list)).toEqual({ page: 'list' });
    expect(routeOf(href.investigation('a b/c'))).toEqual({ page: 'investigation', id: 'a b/c' });
    expect(routeOf(href.replay('x1'))).toEqual({ page: 'replay', id: 'x1' });
    expect(routeOf(href.chat)).toEqual({ page: 'chat' });
    expect(routeOf(href.signIn)).toEqual({ page: 'sign-in' });
  });
});
