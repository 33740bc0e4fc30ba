#!/usr/bin/env bash
# Runs the GPU checks and the "gpu" benchmark on a lent GPU machine (see docs/gpu.md).
#
# Here, once (after `npm ci`, which builds dist/):
#   npm run build && ../shared/gpu/prepare.sh
# Then through the device tool, with carry [".device", "dist"]:
#   source .device/on-device.sh; bash scripts/gpu-device-check.sh
# Everything it writes lands in $OUT (the tool copies it back):
#   nvidia-smi.txt, vulkan.txt   the GPU and the Vulkan driver files seen
#   check.jsonl, check.txt        bench/gpu-check.ts: every GPU kernel against the f64 CPU path
#   gpu.json, bench.txt           `node dist/bench/run.js gpu`: GFLOP/s, sweeps, crossovers, device
# Each step has its own time limit, so one that hangs (Dawn can keep a process alive at exit)
# does not eat the others' time. Exit status: that of the checks.
set -uo pipefail
out=${OUT:-/tmp/arbor-gpu-check}
mkdir -p "$out"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
{ nvidia-smi || echo "nvidia-smi: not found"; } > "$out/nvidia-smi.txt" 2>&1
{ echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"; ls -l /usr/local/nvidia/share/vulkan/icd.d/ 2>&1; ldconfig -p | grep -i vulkan; node --version; } > "$out/vulkan.txt" 2>&1
[ -f dist/bench/gpu-check.js ] || { echo "dist/ is missing: build here and carry \"dist\"" | tee "$out/check.txt"; exit 3; }
timeout "${CHECK_TIMEOUT:-240}" node dist/bench/gpu-check.js --out "$out/check.jsonl" > "$out/check.txt" 2>&1
status=$?
echo "gpu-check exit $status" >> "$out/check.txt"
timeout "${BENCH_TIMEOUT:-300}" node dist/bench/run.js gpu --out "$out/gpu.json" > "$out/bench.txt" 2>&1
echo "bench exit $?" >> "$out/bench.txt"
tail -n 3 "$out/check.txt"
tail -n 25 "$out/bench.txt"
exit $status
