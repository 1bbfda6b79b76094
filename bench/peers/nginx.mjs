// nginx for the benches: Debian's nginx-light (and libnginx-mod-nchan), installed with apt-get
// when missing, run with a prefix of its own on a free port from a template in this folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, spawnTracked, stopProc, tempDir, waitListening } from './procs.mjs';

const NGINX_PATHS = ['/usr/sbin/nginx', '/usr/bin/nginx'];
const NCHAN_PATHS = ['/usr/lib/nginx/modules/ngx_nchan_module.so', '/usr/share/nginx/modules/ngx_nchan_module.so'];

const found = () => ({ nginx: NGINX_PATHS.find(existsSync), nchan: NCHAN_PATHS.find(existsSync) });

/** nginx and the Nchan module, installed with apt-get when missing and this is root (or sudo works); null parts when not. */
export function ensureNginx({ nchan = true } = {}) {
  const have = found();
  if (have.nginx && (have.nchan || !nchan)) return have;
  const packages = ['nginx-light', ...(nchan ? ['libnginx-mod-nchan'] : [])];
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  console.error(`nginx: installing ${packages.join(' ')} with apt-get`);
  const run = (args) => {
    const [command, ...rest] = [...sudo, ...args];
    return spawnSync(command, rest, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  };
  if (run(['apt-get', 'install', '-y', '-q', ...packages]).status !== 0) {
    run(['apt-get', 'update', '-q']);
    run(['apt-get', 'install', '-y', '-q', ...packages]);
  }
  return found();
}

/**
 * Starts `nginx -p <temp prefix>` from `template` (a file in this folder or an absolute path) with
 * `@PREFIX@`, `@PORT@` and every key of `vars` replaced; resolves once it listens.
 */
export async function startNginx(nginxPath, template, vars = {}) {
  const port = await freePort();
  const prefix = tempDir('bench-nginx-');
  mkdirSync(join(prefix, 'logs'));
  let conf = readFileSync(template, 'utf8').replaceAll('@PREFIX@', prefix).replaceAll('@PORT@', String(port));
  for (const [key, value] of Object.entries(vars)) conf = conf.replaceAll(`@${key}@`, String(value));
  writeFileSync(join(prefix, 'nginx.conf'), conf);
  const proc = spawnTracked(nginxPath, ['-p', prefix, '-c', join(prefix, 'nginx.conf')], { stdio: 'inherit' });
  const stop = async () => {
    await stopProc(proc);
    rmSync(prefix, { recursive: true, force: true });
  };
  if (!(await waitListening(port, 10_000))) {
    await stop();
    throw new Error(`nginx did not listen on ${port} (${template})`);
  }
  return { port, pid: proc.pid, stop };
}
