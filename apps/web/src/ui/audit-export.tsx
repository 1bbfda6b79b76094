import { useState } from 'preact/hooks';
import { apiFetch } from '../api';
import { t } from '../i18n/pt-BR';

/** Downloads the audit log as CSV with the signed-in token (a plain link could not send it). */
export function AuditExportButton() {
  const [error, setError] = useState<string | null>(null);
  const download = async (): Promise<void> => {
    setError(null);
    const response = await apiFetch('/api/v1/audit/export?format=csv');
    if (!response.ok) return setError(response.status === 403 ? t.errors.forbidden : String(response.status));
    const url = URL.createObjectURL(await response.blob());
    const link = Object.assign(document.createElement('a'), { href: url, download: 'auditoria.csv' });
    link.click();
    URL.revokeObjectURL(url);
  };
  return (
    <>
      <button type="button" class="link" onClick={() => void download()} data-testid="audit-export">
        {t.replay.auditExport}
      </button>
      {error && <span class="error"> {error}</span>}
    </>
  );
}
