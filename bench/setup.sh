#!/usr/bin/env bash
# The bench's own system package: PyTorch (Debian's python3-torch, for /usr/bin/python3), the
# peer that links the same oneDNN as graft's native kernels. Everything else the bench needs
# comes with `scripts/setup.sh` (npm packages, oneDNN). Run as root; skipped when present.
set -euo pipefail
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "bench/setup.sh: PyTorch missing; install it as root: apt-get install -y python3-torch" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends python3-torch >&2
