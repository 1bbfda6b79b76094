import type { Runtime } from '#platform';
import { runLeased, type RunningRunner } from '../leased-runner.js';

export type RunningBridge = RunningRunner;

/**
 * Runs the MQTT bridge where the workers run: in the embedded process directly; among
 * distributed workers in the one that holds its lease, since two bridges would publish the
 * same events twice.
 */
export function runMqttBridge(runtime: Pick<Runtime, 'mqtt' | 'settings' | 'metrics' | 'logger'>): RunningBridge {
  const { mqtt } = runtime;
  if (!mqtt) return { stop: async () => undefined };
  return runLeased(runtime, mqtt, 'MQTT bridge');
}
