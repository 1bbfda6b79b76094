import type { Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { Request, Response } from 'express';

type ArgumentOf = (req: Request, res: Response) => unknown;

interface ParamMetadata {
  readonly index: number;
  readonly data?: unknown;
  readonly pipes?: readonly unknown[];
}

const pick = (bag: Record<string, unknown>, data: unknown): unknown => (typeof data === 'string' ? bag[data] : bag);

/** What each of Nest's built-in parameter decorators the stream handlers use reads from the request. */
function argumentFor(type: RouteParamtypes, data: unknown): ArgumentOf | undefined {
  switch (type) {
    case RouteParamtypes.REQUEST:
      return (req) => req;
    case RouteParamtypes.RESPONSE:
      return (_req, res) => res;
    case RouteParamtypes.BODY:
      // As Nest's @Body(): the parsed body, or one of its fields (none when there is no body).
      return (req) => {
        const body: unknown = req.body;
        return typeof data === 'string' && body ? (body as Record<string, unknown>)[data] : body;
      };
    case RouteParamtypes.QUERY:
      return (req) => pick(req.query as Record<string, unknown>, data);
    case RouteParamtypes.PARAM:
      return (req) => pick(req.params, data);
    case RouteParamtypes.HEADERS:
      return (req) => pick(req.headers, typeof data === 'string' ? data.toLowerCase() : data);
    default:
      return undefined;
  }
}

/**
 * The arguments a controller's handler takes, read from the request the way its parameter
 * decorators (@Param, @Query, @Headers, @Body, @Req, @Res) declare them: the decorators stay the one
 * statement of what a handler reads, whether Nest or the stream fast path calls it. A
 * decorator this cannot honour (a pipe, a custom decorator) fails at start-up.
 */
export function routeArguments(controller: Type, handler: string): (req: Request, res: Response) => unknown[] {
  const metadata = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler) ?? {}) as Record<
    string,
    ParamMetadata
  >;
  const getters: ArgumentOf[] = [];
  for (const [key, { index, data, pipes }] of Object.entries(metadata)) {
    const type = Number(key.split(':')[0]) as RouteParamtypes;
    const getter = (pipes?.length ?? 0) === 0 ? argumentFor(type, data) : undefined;
    if (!getter) throw new Error(`${controller.name}.${handler}: parameter ${index} (${key}) has no fast-path reading`);
    getters[index] = getter;
  }
  for (let i = 0; i < getters.length; i += 1) {
    if (!getters[i]) throw new Error(`${controller.name}.${handler}: parameter ${i} has no decorator`);
  }
  return (req, res) => getters.map((get) => get(req, res));
}
