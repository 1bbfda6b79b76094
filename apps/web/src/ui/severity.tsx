import type { Severity } from '../investigation/investigation-model';
import { t } from '../i18n/pt-BR';

/** Colour and a distinct shape each, so severity never rests on colour alone. */
const ICON: Record<Severity, string> = { critical: '✖', high: '▲', medium: '◆', low: '●' };
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span class={`sev sev-${severity}`}>
      <span aria-hidden="true">{ICON[severity]}</span> {t.severity[severity]}
    </span>
  );
}

export function SeverityCounts({ counts }: { counts: Readonly<Record<Severity, number>> }) {
  return (
    <span class="counts">
      {SEVERITIES.filter((s) => counts[s] > 0).map((s) => (
        <span class={`sev sev-${s}`} title={t.severity[s]}>
          <span aria-hidden="true">{ICON[s]}</span>
          <span class="sr-only">{t.severity[s]}:</span> {counts[s]}
        </span>
      ))}
      {SEVERITIES.every((s) => counts[s] === 0) && '—'}
    </span>
  );
}
