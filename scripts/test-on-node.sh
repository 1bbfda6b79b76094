#!/usr/bin/env bash
# Runs the unit and integration jest projects under another Node major (default 26, the Docker
# image's), in a copy of the checkout prepared by on-node.sh. Extra arguments go to jest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
exec "$root/scripts/on-node.sh" env NODE_OPTIONS='--experimental-vm-modules --no-warnings' \
  node node_modules/jest/bin/jest.js "$@" --selectProjects unit int
