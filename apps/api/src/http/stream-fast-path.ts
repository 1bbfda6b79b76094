import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpStatus, RequestMethod, type Type } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import type { Reflector } from '@nestjs/core';
import type { Express, Request, Response } from 'express';
import type { Logger, Permission } from '#platform';
import type { Access } from '../auth/access.js';
import { isPublicHandler, permissionOfHandler } from '../auth/auth.decorators.js';
import { sendError } from './api-exception.filter.js';
import type { EdgeMiddleware } from './observability.js';
import { routeArguments } from './route-arguments.js';

/** A stream route the fast path serves by calling its Nest controller's handler itself. */
export interface FastRoute {
  readonly controller: Type;
  readonly handler: string;
}

/** A route of `controller`, typed against it; the table of routes is STREAM_ROUTES. */
export function fastRoute<C>(controller: Type<C>, handler: keyof C & string): FastRoute {
  return { controller, handler };
}

/** Express's JSON body parser: calls next with the error it refuses a body for. */
export type BodyParser = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

export interface FastPathDependencies {
  readonly express: Express;
  readonly edge: readonly EdgeMiddleware[];
  /** The body parser Express runs after the edge middleware (the same instance), for routes that take a body. */
  readonly bodyParser: BodyParser;
  readonly access: Access;
  readonly reflector: Reflector;
  readonly logger: Logger;
  /** The controller instance Nest made for a route (app.get). */
  readonly instanceOf: (controller: Type) => unknown;
}

interface CompiledRoute {
  /** GET, or POST for a route that reads a JSON body. */
  readonly method: string;
  /** The status Nest sets before the handler runs: @HttpCode's, else 201 for a POST and 200 otherwise. */
  readonly status: number;
  readonly matcher: RegExp;
  readonly names: readonly string[];
  /** What Express would put in req.route: the declared path is the metrics' endpoint label. */
  readonly route: { readonly path: string };
  /** The handler, bound to the controller instance Nest made, with the arguments its decorators declare. */
  readonly call: (req: Request, res: Response) => unknown;
  readonly isPublic: boolean;
  readonly permission: Permission | undefined;
}

/**
 * The stream routes served straight from the HTTP server's 'request' event, ahead of
 * Express's router and Nest's pipeline: each of them costs a long-lived connection, and the
 * objects a router and its middleware chain leave on it are most of what an idle stream
 * holds; a POST that opens a stream (a chat message) is also the API's busiest request, and
 * the router's and Nest's walk was a good part of its CPU. It runs what those would run, in
 * the same order and with the same code: Express's request and response prototypes, the
 * edge middleware (CORS, request log and metrics, gzip), the JSON body parser and its
 * refusals (POST), the global guards' checks (Access), the status Nest sets, the
 * controller's handler, the exception filter's error body. A request it is not sure of
 * (another method, a GET with a body, a path Express would first normalise or decode
 * differently) goes to Express.
 */
export class StreamFastPath {
  private readonly routes: readonly CompiledRoute[];

  constructor(
    routes: readonly FastRoute[],
    private readonly deps: FastPathDependencies,
  ) {
    this.routes = routes.map((route) => compile(route, deps));
  }

  /** True when the request is one of the routes and is being served here; false: hand it to Express. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const { method } = req;
    if (method !== 'GET' && method !== 'POST') return false;
    if (method === 'GET' && hasBody(req)) return false;
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const match = route.matcher.exec(path);
      if (!match) continue;
      const params = decodeParams(route.names, match);
      if (!params) return false;
      this.serve(route, params, req as Request, res as Response);
      return true;
    }
    return false;
  }

  private serve(route: CompiledRoute, params: Record<string, string>, req: Request, res: Response): void {
    const { express } = this.deps;
    // What express.application.handle and its router set up before a route's handler runs.
    if (express.enabled('x-powered-by')) res.setHeader('X-Powered-By', 'Express');
    // The server builds them on these prototypes already (StreamingExpressAdapter); a swap
    // would give each its own hidden class for as long as the stream is open.
    if (!isPrototypeOf(express.request, req)) Object.setPrototypeOf(req, express.request);
    if (!isPrototypeOf(express.response, res)) Object.setPrototypeOf(res, express.response);
    Object.assign(req, { res, baseUrl: '', originalUrl: req.url, params, route: route.route });
    // res.locals (for templates) is left out: no stream renders one, and it would stay as long as the stream.
    Object.assign(res, { req });
    this.runEdge(0, route, req, res);
  }

  private runEdge(index: number, route: CompiledRoute, req: Request, res: Response): void {
    const middleware = this.deps.edge[index];
    if (middleware) middleware(req, res, () => this.runEdge(index + 1, route, req, res));
    else if (route.method === 'POST') this.readBody(route, req, res);
    else void this.dispatch(route, req, res);
  }

  /** As Express: the parser, then the error handler after it (bootstrap), which answers a refused body. */
  private readBody(route: CompiledRoute, req: Request, res: Response): void {
    this.deps.bodyParser(req, res, (error?: unknown) => {
      if (error) sendError(res, error, this.deps.logger, req);
      else void this.dispatch(route, req, res);
    });
  }

  private async dispatch(route: CompiledRoute, req: Request, res: Response): Promise<void> {
    try {
      if (!route.isPublic) await this.deps.access.admitRequest(req, res, route.permission);
      res.status(route.status);
      await route.call(req, res);
    } catch (error) {
      sendError(res, error, this.deps.logger, req);
    }
    releaseHandled(req);
  }
}

function compile(route: FastRoute, deps: FastPathDependencies): CompiledRoute {
  const handler = (route.controller.prototype as Record<string, unknown>)[route.handler] as (
    ...args: unknown[]
  ) => unknown;
  const argumentsOf = routeArguments(route.controller, route.handler);
  const instance = deps.instanceOf(route.controller);
  const path = declaredPath(route.controller, handler);
  const method = methodOf(route.controller, handler);
  const names: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  const declaredStatus: unknown = Reflect.getMetadata(HTTP_CODE_METADATA, handler);
  return {
    method,
    status:
      typeof declaredStatus === 'number' ? declaredStatus : method === 'POST' ? HttpStatus.CREATED : HttpStatus.OK,
    matcher: new RegExp(`^${source}/?$`),
    names,
    route: { path },
    call: (req, res) => handler.apply(instance, argumentsOf(req, res)),
    isPublic: isPublicHandler(deps.reflector, handler, route.controller),
    permission: permissionOfHandler(deps.reflector, handler, route.controller),
  };
}

/** The path Nest registers for a handler: its controller's path, then its own. */
function declaredPath(controller: Type, handler: object): string {
  const parts = [Reflect.getMetadata(PATH_METADATA, controller), Reflect.getMetadata(PATH_METADATA, handler)];
  const segments = parts.flatMap((part: unknown) => String(part ?? '').split('/')).filter((s) => s !== '');
  return `/${segments.join('/')}`;
}

/** GET or POST, as the handler's decorator declares; any other method is not served here. */
function methodOf(controller: Type, handler: object): string {
  const declared: unknown = Reflect.getMetadata(METHOD_METADATA, handler);
  if (declared === RequestMethod.GET) return 'GET';
  if (declared === RequestMethod.POST) return 'POST';
  throw new Error(`${controller.name}: the stream fast path serves GET and POST routes only`);
}

function decodeParams(names: readonly string[], match: RegExpExecArray): Record<string, string> | null {
  const params: Record<string, string> = {};
  try {
    names.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1] ?? '')));
  } catch {
    // Express answers an undecodable parameter itself.
    return null;
  }
  return params;
}

/** A GET with a body goes through Express's body parser, whose refusals are part of the route's answers. */
function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
}

/** The params of a request whose handler ran: nothing reads them after it. */
const HANDLED_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * What the handler needed of the request, let go once it ran: a stream would keep it for as
 * long as it stays open. The URL parsed for the query (parseurl's cache; reading req.query
 * or req.path again parses it again), the route's params, and the socket's cached peer
 * address (read for the admission; Node asks the socket again when it is read again).
 */
function releaseHandled(req: Request): void {
  if (Reflect.get(req, '_parsedUrl') !== undefined) Reflect.set(req, '_parsedUrl', undefined);
  req.params = HANDLED_PARAMS;
  const { socket } = req;
  if (Reflect.get(socket, '_peername') !== undefined) Reflect.set(socket, '_peername', undefined);
}

const isPrototypeOf = (prototype: object, value: object): boolean =>
  Object.prototype.isPrototypeOf.call(prototype, value);
