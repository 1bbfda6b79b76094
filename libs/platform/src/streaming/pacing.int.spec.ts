import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ServerResponse } from 'node:http';
import {
  connect,
  constants,
  createSecureServer,
  type ClientHttp2Session,
  type Http2SecureServer,
  type Http2ServerResponse,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { selfSignedCert } from '../../../../test/support/self-signed-cert.js';
import { waitUntil } from '../../../../test/support/wait-until.js';
import { drained, responseClosed, waitUntilWritable } from './pacing.js';

const LIMIT = 65_536;
/** Four times the client's stream window: most of it stays in the server's stream buffer. */
const WRITTEN = 4 * 65_535;

/**
 * Pacing against a real HTTP/2 server and client: a stream whose client stops reading
 * keeps its unsent bytes counted, and one the client resets lets its writer go.
 */
describe('pacing an HTTP/2 response', () => {
  const tls = selfSignedCert();
  let server: Http2SecureServer;
  let session: ClientHttp2Session;
  const responses: Http2ServerResponse[] = [];

  beforeAll(async () => {
    server = createSecureServer({ cert: tls.ca, key: tls.key }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(Buffer.alloc(WRITTEN, 'x'));
      responses.push(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    session = connect(`https://127.0.0.1:${port}`, { ca: tls.ca, settings: { initialWindowSize: 65_535 } });
  });
  afterAll(async () => {
    session.destroy();
    await new Promise((resolve) => server.close(resolve));
    tls.remove();
  });

  /** A GET the client never reads, and the server's response to it. */
  async function stalled(): Promise<{ res: ServerResponse; reset: () => void; read: () => Promise<number> }> {
    const seen = responses.length;
    const stream = session.request({ ':path': '/' });
    stream.end();
    stream.pause();
    const h2 = await waitUntil(() => responses[seen], 'the server side of the stream');
    await waitUntil(() => (h2.writableLength > LIMIT ? true : undefined), 'the stream window to shut');
    return {
      // The compatibility response stands in for an HTTP/1 one everywhere the API writes.
      res: h2 as unknown as ServerResponse,
      reset: () => stream.close(constants.NGHTTP2_CANCEL),
      read: () =>
        new Promise((resolve) => {
          let total = 0;
          stream.on('data', (chunk: Buffer) => {
            total += chunk.length;
            if (total === WRITTEN) resolve(total);
          });
          stream.resume();
        }),
    };
  }

  it('waits while the client does not read, and goes on once it reads again', async () => {
    const { res, read } = await stalled();
    let ready = false;
    void waitUntilWritable(res, LIMIT).then(() => (ready = true));
    expect(responseClosed(res)).toBe(false);
    expect(ready).toBe(false);
    expect(await read()).toBe(WRITTEN);
    await waitUntil(() => (ready ? true : undefined), 'the response to take more');
  });

  it('lets the writer of a stalled stream go once the client resets it', async () => {
    const { res, reset } = await stalled();
    let ready = false;
    void waitUntilWritable(res, LIMIT).then(() => (ready = true));
    const closed = new Promise((resolve) => res.once('close', resolve));
    reset();
    await closed;
    // On Node 20 its unsent bytes are still counted after the reset (Node 24 drops them): only
    // the stream says for certain that nothing more will go.
    expect(responseClosed(res)).toBe(true);
    await waitUntil(() => (ready ? true : undefined), 'the pacing of a reset stream to let go');
    // A writer that comes to wait after the reset does not wait either.
    await expect(waitUntilWritable(res, LIMIT)).resolves.toBeUndefined();
    await expect(drained(res)).resolves.toBeUndefined();
  });
});
