// Processes of a bench run: forked helpers with request/response over IPC, spawned programs,
// their CPU from /proc, and one registry so that every process a run started is stopped on
// success, on failure and on SIGINT/SIGTERM.
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, createServer } from 'node:net';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';

const started = new Set();

function track(proc) {
  started.add(proc);
  proc.once('exit', () => started.delete(proc));
  return proc;
}

const tempDirs = new Set();

/** A temporary folder, removed at the latest when this process exits (also on SIGINT/SIGTERM). */
export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

function killAll() {
  for (const proc of started) proc.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}
/** Asynchronous clean-ups (a database schema, JetStream streams) run on SIGINT/SIGTERM too, 10 s at most. */
const cleanups = new Set();
export function onInterrupt(cleanup) {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    killAll();
    const pending = Promise.allSettled([...cleanups].map((cleanup) => cleanup()));
    void Promise.race([pending, sleep(10_000)]).then(() => process.exit(130));
  });

/** SIGTERM, then SIGKILL after 8 s; resolves once the process is gone. */
export async function stopProc(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 8000);
  await exited;
  clearTimeout(timer);
}

/** A program started with `spawn`, tracked so that it is stopped with the run. */
export function spawnTracked(command, args, options) {
  return track(spawn(command, args, options));
}

/**
 * A forked `.mjs` helper answering `{ id, op, args }` (see common.mjs `serveRequests`); its output
 * goes to stderr. `execArgv`: Node's own flags for it (default this process's).
 */
export function child(script, args, env, execArgv = process.execArgv) {
  const proc = track(fork(script, args, { env: { ...process.env, ...env }, execArgv, stdio: ['ignore', 2, 2, 'ipc'] }));
  let next = 0;
  const waiting = new Map();
  let ready;
  const exited = new Promise((_, reject) =>
    proc.once('exit', (code, signal) => reject(new Error(`${script} ${args.join(' ')} exited (${code ?? signal})`))),
  );
  exited.catch(() => {});
  const started = Promise.race([new Promise((resolve) => (ready = resolve)), exited]);
  proc.on('message', (message) => {
    if (message.ready) return ready();
    const pending = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error) pending?.reject(new Error(message.error));
    else pending?.resolve(message.result);
  });
  proc.once('exit', () => {
    for (const pending of waiting.values()) pending.reject(new Error(`${script} exited`));
    waiting.clear();
  });
  return {
    pid: proc.pid,
    started,
    call: (op, ...callArgs) =>
      new Promise((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve, reject });
        proc.send({ id, op, args: callArgs });
      }),
    stop: () => stopProc(proc),
  };
}

export const freePort = () =>
  new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

export async function waitFor(check, timeoutMs, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(everyMs);
  }
  return false;
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`, waiting at most `timeoutMs`. */
export const waitListening = (port, timeoutMs = 20_000) =>
  waitFor(
    () =>
      new Promise((resolve) => {
        const socket = createConnection(port, '127.0.0.1');
        socket.once('connect', () => (socket.destroy(), resolve(true)));
        socket.once('error', () => resolve(false));
      }),
    timeoutMs,
  );

const procPids = () => readdirSync('/proc').filter((name) => /^\d+$/.test(name));

function statOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), utime: Number(fields[11]), stime: Number(fields[12]) };
  } catch {
    return null;
  }
}

/** utime + stime of `pids` and their children (nginx workers), in µs. */
export function cpuUs(pids) {
  const all = new Set(pids);
  for (const entry of procPids()) {
    const stat = statOf(entry);
    if (stat && all.has(stat.ppid)) all.add(Number(entry));
  }
  let ticks = 0;
  for (const pid of all) {
    const stat = statOf(String(pid));
    if (stat) ticks += stat.utime + stat.stime;
  }
  return (ticks * 1e6) / 100;
}
