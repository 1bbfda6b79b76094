/** Each coding an Accept-Encoding header names, with its quality. */
function codingsOf(header: string | string[]): Map<string, number> {
  const codings = new Map<string, number>();
  for (const part of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    if (name === '') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    codings.set(name.trim(), Number.isFinite(quality) ? quality : 0);
  }
  return codings;
}

/**
 * Whether an Accept-Encoding header allows `coding` (RFC 9110 §12.5.3): named, or `*`, with
 * a non-zero quality, unless the coding itself is refused with `q=0`.
 */
export function acceptsEncoding(header: string | string[] | undefined, coding: 'gzip' | 'br'): boolean {
  if (header === undefined) return false;
  const codings = codingsOf(header);
  const named = codings.get(coding) ?? (coding === 'gzip' ? codings.get('x-gzip') : undefined);
  if (named !== undefined) return named > 0;
  return (codings.get('*') ?? 0) > 0;
}

/** Whether an Accept-Encoding header allows gzip. */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  return acceptsEncoding(header, 'gzip');
}
