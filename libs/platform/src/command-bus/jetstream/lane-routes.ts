import { assertSafeToken } from '../command-bus.errors.js';
import type { CommandLaneRoute, ConsumeOptions } from '../command-bus.port.js';

/**
 * The lanes a consumption runs, as the bus routes them: each lane's types are published on
 * subjects of its own. Refuses a lane name that is not a subject token, a name given twice
 * and a type in two lanes.
 */
export function laneRoutes(options: ConsumeOptions): readonly CommandLaneRoute[] {
  const names = new Set<string>();
  const types = new Set<string>();
  const routes = (options.lanes ?? []).map(({ name, types: laneTypes }) => ({ name, types: [...laneTypes] }));
  for (const lane of routes) {
    assertSafeToken('lane name', lane.name);
    if (names.has(lane.name)) throw new RangeError(`lane ${lane.name} is named twice`);
    names.add(lane.name);
    for (const type of lane.types) {
      if (types.has(type)) throw new RangeError(`command type ${type} is in more than one lane`);
      types.add(type);
    }
  }
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
