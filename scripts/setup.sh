#!/usr/bin/env bash
# Installs everything graft needs on a fresh Debian machine with Node 20:
# pnpm (pinned) and the workspace's npm dependencies from the lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm@$PNPM_VERSION" >&2
  npm install -g -E "pnpm@$PNPM_VERSION" >&2
fi

pnpm install --frozen-lockfile >&2
