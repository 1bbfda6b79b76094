import type { OutgoingMessage } from 'node:http';

let table: symbol | null | undefined;

/** Node's own key of a message's header table (`kOutHeaders`), found once on a message that has one. */
function tableKey(message: OutgoingMessage): symbol | null {
  if (table === undefined) {
    const key = Object.getOwnPropertySymbols(message).find((symbol) => symbol.description === 'kOutHeaders');
    if (key === undefined) return null;
    table = key;
  }
  return table;
}

/**
 * What a sent header block is replaced with: after it went out, Node only asks whether there
 * was one (headersSent, and the checks that refuse a second writeHead or setHeader).
 */
const SENT_HEADER = 'HTTP header block sent\r\n\r\n';

/**
 * Lets go of a response's headers once they are on the wire. Headers set with setHeader()
 * stay in a table (an object and a [name, value] pair per header) and the header block
 * stays as a string of a few hundred bytes, for the response's whole life, though nothing
 * reads either after they were sent: for an event stream open for hours, about a kilobyte
 * per connection. Afterwards headersSent stays true, a second writeHead or setHeader is
 * refused as before, and getHeader() answers undefined, as on a response that set none.
 */
export function releaseSentHeaders(message: OutgoingMessage): void {
  if (Reflect.get(message, '_headerSent') !== true) return;
  const key = tableKey(message);
  if (key !== null && Reflect.get(message, key) !== null) Reflect.set(message, key, null);
  if (typeof Reflect.get(message, '_header') === 'string') Reflect.set(message, '_header', SENT_HEADER);
}
