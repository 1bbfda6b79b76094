import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const PACKAGE_DIR = resolve('packages/client');
export const CLIENT_FIXTURES = resolve('test/support/client-package');

export interface PackedClient {
  /** The temporary project that installed the tarball. */
  readonly project: string;
  /** Where the installed package is. */
  readonly installed: string;
  /** The files the tarball holds, as npm listed them. */
  readonly files: readonly string[];
}

/**
 * Packs packages/client as a release would (`npm pack`, which builds it), and installs the
 * tarball into a fresh project under `dir` without the network, as an integrator would.
 */
export function installPackedClient(dir: string): PackedClient {
  const [pack] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: PACKAGE_DIR, encoding: 'utf8' }),
  ) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (!pack) throw new Error('npm pack produced no tarball');
  const project = join(dir, 'consumer');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', join(dir, pack.filename)], {
    cwd: project,
    encoding: 'utf8',
  });
  for (const file of ['node-script.mjs', 'follow-transports.mjs'])
    copyFileSync(join(CLIENT_FIXTURES, file), join(project, file));
  return {
    project,
    installed: join(project, 'node_modules/@cidadao-ai/client'),
    files: pack.files.map((f) => f.path),
  };
}

export const installedManifest = (client: PackedClient): { name: string; dependencies?: object } =>
  JSON.parse(readFileSync(join(client.installed, 'package.json'), 'utf8')) as { name: string; dependencies?: object };
