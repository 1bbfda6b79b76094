import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { useMemo } from 'preact/hooks';

/** Tiradentes' markdown as HTML, sanitised: the report quotes contract data nobody here wrote. */
export function Report({ markdown, testId = 'report' }: { markdown: string; testId?: string }) {
  const html = useMemo(() => DOMPurify.sanitize(marked.parse(markdown, { async: false, gfm: true })), [markdown]);
  return <div class="report" data-testid={testId} dangerouslySetInnerHTML={{ __html: html }} />;
}
