import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { startEmbeddedApp, type EmbeddedApp } from './support/embedded-app.js';

const run = promisify(execFile);

/** A Python with httpx for the seed's Python example, if this machine has one. */
const PYTHON = ['python3', '/usr/bin/python3'].find((bin) => {
  try {
    execFileSync(bin, ['-c', 'import httpx'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
if (!PYTHON)
  console.log('skipping the seed Python client example: no python3 with httpx here (apt-get install python3-httpx)');

/** The seed's Python client, verbatim but for the address; the harness supplies the json import it uses and prints JSON. */
const pythonClient = (url: string, message: string) => `
import asyncio, builtins, json
print = lambda data: builtins.print(json.dumps(data), flush=True)

import httpx

# SSE Streaming
async def stream_chat(message: str):
    async with httpx.AsyncClient() as client:
        async with client.stream(
            'POST',
            '${url}/api/v1/chat/stream',
            json={'message': message}
        ) as response:
            async for line in response.aiter_lines():
                if line.startswith('data: '):
                    data = json.loads(line[6:])
                    print(data)

asyncio.run(stream_chat(${JSON.stringify(message)}))
`;

let app: EmbeddedApp;
beforeAll(async () => {
  app = await startEmbeddedApp();
});
afterAll(async () => {
  await app?.stop();
});

/** The seed's order: start, detecting, intent, agent_selected, at least one chunk, complete. */
function expectSeedOrder(types: unknown[]): void {
  expect(types.slice(0, 4)).toEqual(['start', 'detecting', 'intent', 'agent_selected']);
  expect(types.at(-1)).toBe('complete');
  const middle = types.slice(4, -1);
  expect(middle.length).toBeGreaterThan(0);
  expect(middle.every((t) => t === 'chunk')).toBe(true);
}

describe("the seed's client examples, unchanged", () => {
  it('works with the curl example', async () => {
    const { stdout } = await run('curl', [
      '-sS',
      '-N',
      '-X',
      'POST',
      `${app.url}/api/v1/chat/stream`,
      '-H',
      'Content-Type: application/json',
      '-d',
      '{"message": "Olá"}',
      '--no-buffer',
    ]);
    const events = stdout
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)) as { type: string });
    expectSeedOrder(events.map((e) => e.type));
  });

  (PYTHON ? it : it.skip)('works with the Python httpx example', async () => {
    const { stdout } = await run(PYTHON ?? 'python3', ['-c', pythonClient(app.url, 'Olá, como você pode me ajudar?')]);
    const events = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; content?: string });
    expectSeedOrder(events.map((e) => e.type));
    expect(
      events
        .filter((e) => e.type === 'chunk')
        .map((e) => e.content)
        .join(''),
    ).toContain('Drummond');
  });

  it('works with the JavaScript fetch reader', async () => {
    const handled: Array<{ type: string; content?: string }> = [];
    const handleEvent = (data: { type: string; content?: string }) => void handled.push(data);
    // The seed's streamChat, with the server's address in front of its path.
    async function streamChat(message: string) {
      const response = await fetch(`${app.url}/api/v1/chat/stream`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ message }),
      });

      const reader = response.body!.getReader();
      const decoder = new TextDecoder();

      while (true) {
        const { done, value } = await reader.read();
        if (done) break;

        const chunk = decoder.decode(value);
        const lines = chunk.split('\n');

        for (const line of lines) {
          if (line.startsWith('data: ')) {
            const data = JSON.parse(line.slice(6));
            handleEvent(data);
          }
        }
      }
    }
    await streamChat('Olá, como você pode me ajudar?');
    expectSeedOrder(handled.map((e) => e.type));
    expect(
      handled
        .filter((e) => e.type === 'chunk')
        .map((e) => e.content)
        .join(''),
    ).toContain('Drummond');
  });
});
