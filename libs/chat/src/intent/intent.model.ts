export const INTENTS = [
  'greeting',
  'thanks',
  'goodbye',
  'help_request',
  'about_system',
  'investigate',
  'investigation_status',
  'explain_anomaly',
  'unknown',
] as const;

export type Intent = (typeof INTENTS)[number];

export interface IntentPrediction {
  readonly intent: Intent;
  /** Posterior probability of the chosen intent, in [0, 1]. */
  readonly confidence: number;
}

export interface LabelledUtterance {
  readonly intent: Intent;
  readonly text: string;
}

export function isIntent(value: string): value is Intent {
  return (INTENTS as readonly string[]).includes(value);
}
