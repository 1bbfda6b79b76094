// Started by test/client-package.e2e.spec.ts inside a project that installed the packed tarball.
import { CidadaoClient } from '@cidadao-ai/client';

const { baseUrl, token, investigationId, wsModule, ioModule } = JSON.parse(process.env.CLIENT_TEST_CONFIG);
const { WebSocket } = await import(wsModule);
const { io } = await import(ioModule);
const { followTransports } = await import('./follow-transports.mjs');

const client = new CidadaoClient({ baseUrl, getToken: () => token, WebSocket, io });
const line = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
line({ result: await followTransports(client, investigationId, ['sse', 'websocket', 'socketio'], line) });
process.exit(0);
