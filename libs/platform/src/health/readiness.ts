import type { Runtime } from '../runtime/runtime.js';

/** Something a process cannot serve without. */
export interface Dependency {
  readonly name: string;
  readonly kind: string;
  ping(): Promise<void>;
  /** Reported, but its being down leaves the process ready (a peripheral that catches up once back). */
  readonly optional?: boolean;
}

export interface DependencyStatus {
  readonly kind: string;
  readonly status: 'up' | 'down';
}

/** `{ status, <dependency>: { kind, status } }`: which dependency is down, by name. */
export type ReadinessReport = { readonly status: 'ready' | 'unavailable' } & {
  readonly [name: string]: DependencyStatus | string;
};

/** A ping that hangs (a server gone without a reset) counts as down, so readiness answers promptly. */
const PING_TIMEOUT_MS = 3_000;

/**
 * What every process of the deployment needs: the command bus, the event store and the audit
 * log; with MQTT_URL also the broker, reported without deciding readiness.
 */
export function runtimeDependencies(runtime: Pick<Runtime, 'bus' | 'store' | 'audit' | 'mqtt'>): Dependency[] {
  const { bus, store, audit, mqtt } = runtime;
  const dependencies: Dependency[] = [
    { name: 'bus', kind: bus.kind, ping: () => bus.ping() },
    { name: 'store', kind: store.kind, ping: () => store.ping() },
    { name: 'audit', kind: audit.kind, ping: () => audit.ping() },
  ];
  if (mqtt) dependencies.push({ name: 'mqtt', kind: 'mqtt', ping: () => mqtt.ping(), optional: true });
  return dependencies;
}

export async function checkReadiness(
  dependencies: readonly Dependency[],
  timeoutMs = PING_TIMEOUT_MS,
): Promise<ReadinessReport> {
  const checks = await Promise.allSettled(dependencies.map((dependency) => withTimeout(dependency.ping(), timeoutMs)));
  const report: Record<string, DependencyStatus | string> = {
    status: checks.every((check, index) => check.status === 'fulfilled' || dependencies[index]?.optional)
      ? 'ready'
      : 'unavailable',
  };
  dependencies.forEach((dependency, index) => {
    report[dependency.name] = { kind: dependency.kind, status: checks[index]?.status === 'fulfilled' ? 'up' : 'down' };
  });
  return report as ReadinessReport;
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
