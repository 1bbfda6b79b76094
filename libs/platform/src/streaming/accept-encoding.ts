/**
 * Whether an Accept-Encoding header allows gzip (RFC 9110 §12.5.3): `gzip` or `*` with a
 * non-zero quality, unless gzip itself is refused with `q=0`.
 */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  const codings = new Map<string, number>();
  for (const part of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    if (name === '') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    codings.set(name.trim(), Number.isFinite(quality) ? quality : 0);
  }
  const gzip = codings.get('gzip') ?? codings.get('x-gzip');
  if (gzip !== undefined) return gzip > 0;
  return (codings.get('*') ?? 0) > 0;
}
