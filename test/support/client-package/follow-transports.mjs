// Runs in Node and in the browser, against the packed @cidadao-ai/client: follows one
// investigation over several transports at once and reports, for each, the ids it saw and
// the reconnections it made. `report` receives progress lines, so the test can cut the
// connections once every transport is in the middle of the stream.
export async function followTransports(client, investigationId, transports, report) {
  const progress = Object.fromEntries(transports.map((t) => [t, 0]));
  const follow = async (transport) => {
    const ids = [];
    const types = [];
    let reconnects = 0;
    for await (const { id, message } of client.investigationEvents(investigationId, {
      transport,
      initialDelayMs: 100,
      maxAttempts: 50,
      onReconnect: ({ attempt, delayMs, cause }) => {
        reconnects++;
        report({ reconnect: transport, attempt, delayMs, cause: String(cause) });
      },
    })) {
      ids.push(id);
      types.push(message.type);
      progress[transport] = ids.length;
      report({ progress });
    }
    return { transport, ids, last: types.at(-1), reconnects };
  };
  const results = await Promise.all(transports.map(follow));
  // The reference: the whole stream read again once it is over.
  const replay = [];
  for await (const { id } of client.investigationEvents(investigationId)) replay.push(id);
  return { results, replay };
}
