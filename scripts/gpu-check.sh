#!/usr/bin/env bash
# The gpu.js executor on a machine with an NVIDIA GPU: the parity suite (every op, the conv
# family over generated configurations, the small-CNN training step, residency, memory) and a
# timing of the small-CNN training step on WebGPU and headless-gl, as a table.
#
# Run it from a checkout after ./scripts/setup.sh (system packages, npm dependencies, gl built):
#     ./scripts/gpu-check.sh
# Environment: GRAFT_GPU_CHECK_CONFIG=mnist|small (default mnist: batch 64, 28×28, 32/64
# channels, 5×5 kernels), GRAFT_GPU_CHECK_STEPS (timed steps, default 20).
#
# What each mode needs on the GPU machine:
# - webgpu takes Dawn's native route, which on Linux is Vulkan: the NVIDIA driver with its
#   Vulkan ICD (nvidia_icd.json), the Vulkan loader (libvulkan1) and glvnd's libEGL and
#   libGLdispatch (libegl1, libglvnd0), which NVIDIA's ICD needs to initialise (in a CUDA
#   container without them, vkCreateInstance finds no driver). setup.sh installs those.
#   Without a hardware adapter the mode still runs, on Dawn's OpenGL ES route over Mesa's
#   llvmpipe: the table's device column says so and this script reports that webgpu did not
#   reach the GPU.
# - headlessgl needs an X server with GLX. With DISPLAY set (an X server on the NVIDIA driver)
#   it uses that; otherwise it starts Xvfb, whose GLX is Mesa's llvmpipe (software): the device
#   column says which.
set -uo pipefail
cd "$(dirname "$0")/.."

CONFIG="${GRAFT_GPU_CHECK_CONFIG:-mnist}"
STEPS="${GRAFT_GPU_CHECK_STEPS:-20}"
XVFB=(xvfb-run -a -s "-screen 0 1280x1024x24")
status=0

echo "== machine"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
else
  echo "nvidia-smi not found: no NVIDIA driver here"
fi
icds="$(ls /usr/share/vulkan/icd.d/ /etc/vulkan/icd.d/ 2>/dev/null | grep -i '\.json$' | tr '\n' ' ')"
echo "Vulkan ICDs: ${icds:-none}"
for lib in libvulkan.so.1:libvulkan1 libEGL.so.1:libegl1 libGLdispatch.so.0:libglvnd0; do
  if ! ldconfig -p 2>/dev/null | grep -q "${lib%%:*}"; then
    echo "${lib%%:*} not found: apt-get install ${lib##*:} (Dawn's Vulkan route on the NVIDIA driver needs it)"
  fi
done
echo "node $(node --version)"

with_display() {
  # headless-gl: the X server in DISPLAY if there is one, else Xvfb.
  if [ -n "${DISPLAY:-}" ]; then "$@"; else "${XVFB[@]}" "$@"; fi
}

echo
echo "== parity suite: webgpu, webasm, errors (one vitest run) and headlessgl (its own, with a display)"
npx vitest run tests/gpujs-webgpu.test.ts tests/gpujs-webasm.test.ts tests/gpujs-errors.test.ts || status=1
GRAFT_TEST_HEADLESSGL=1 with_display npx vitest run || status=1

echo
echo "== timing"
table="$(mktemp)"
time_mode() {
  npx tsx packages/backend-gpujs/test/time-training-step.ts --config "$CONFIG" --steps "$STEPS" "$@" >>"$table" || status=1
}
time_mode --header webgpu
with_display npx tsx packages/backend-gpujs/test/time-training-step.ts --config "$CONFIG" --steps "$STEPS" headlessgl >>"$table" || status=1
time_mode webasm
echo
cat "$table"
if grep -E '^\| webgpu \|' "$table" | grep -qiE 'llvmpipe|lavapipe|swiftshader|unavailable'; then
  echo
  echo "note: webgpu did not run on a hardware adapter (see its device column): install the NVIDIA Vulkan ICD and libvulkan1"
  status=1
fi
rm -f "$table"
exit "$status"
