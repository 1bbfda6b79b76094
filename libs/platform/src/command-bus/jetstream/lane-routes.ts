import { assertSafeToken } from '../command-bus.errors.js';
import type { CommandLaneRoute, ConsumeOptions } from '../command-bus.port.js';
import { assertDistinctLanes } from '../lanes.js';

/**
 * The lanes a consumption runs, as the bus routes them: each lane's types are published on
 * subjects of its own. Refuses a lane name that is not a subject token, a name given twice
 * and a type in two lanes.
 */
export function laneRoutes(options: ConsumeOptions): readonly CommandLaneRoute[] {
  const routes = (options.lanes ?? []).map(({ name, types }) => ({ name, types: [...types] }));
  for (const lane of routes) assertSafeToken('lane name', lane.name);
  assertDistinctLanes(routes);
  return routes;
}

/** The lane a command type is routed to, or undefined for the default one. */
export function laneOf(routes: readonly CommandLaneRoute[], type: string): string | undefined {
  return routes.find((lane) => lane.types.includes(type))?.name;
}

/** Same lane names with the same types, in any order. */
export function sameRoutes(left: readonly CommandLaneRoute[], right: readonly CommandLaneRoute[]): boolean {
  const key = (routes: readonly CommandLaneRoute[]): string =>
    JSON.stringify(routes.map((lane) => [lane.name, [...lane.types].sort()]).sort());
  return key(left) === key(right);
}
