// The image's HEALTHCHECK (the slim Node image has neither curl nor wget): exits 0 when the
// process answers GET /health/ready with 200. The api listens on PORT; a workers process
// serves the same route on METRICS_PORT: pass its URL as the argument.
const url = process.argv[2] ?? `http://127.0.0.1:${process.env.PORT ?? '8000'}/health/ready`;
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
