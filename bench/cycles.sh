#!/usr/bin/env bash
# CPU cycles per call of the gateway, counted by valgrind (callgrind with its cache
# simulation) instead of timed: the same load gives the same count whatever else the machine
# does, so differences of a few percent between variants are resolved where timings drift by
# tens of percent between runs.
#
#   bench/cycles.sh                    # off keys: auth off, then a key with three in-process limits
#   VARIANTS="off keys" BEFORE_SRC=/tmp/before/server bench/cycles.sh   # add "before-keys" etc.
#
# Variants: off (auth off), keys (auth required; a key with three limits far above the load,
# counted in-process), and before-<variant> (the same with the gateway sources in BEFORE_SRC).
# Each gateway runs under callgrind on GW_CPU, instrumented only while the load generator
# sends unary Chat calls at c=CONC for DUR seconds (after WARMUP seconds uninstrumented),
# then for IDLE seconds without load: what an idle gateway does per second (its timers:
# the registry's refresh, ...) is taken out of the load's counts, since under callgrind
# it would add about 2% to every call, and more to a variant that serves fewer calls.
# Per call: instructions (Ir), L1 instruction and data misses, and the estimate callgrind's
# documentation gives for cycles (Ir + 10 x L1 misses + 100 x last-level misses); the last
# column is each variant's estimate over the first's. The counts agree with timed runs on a
# quiet machine (bench/README.md, "Counting instead of timing").
set -u
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

VARIANTS=${VARIANTS:-"off keys"}
DUR=${DUR:-60}
WARMUP=${WARMUP:-20}
IDLE=${IDLE:-20}
CONC=${CONC:-16}
UP_PORT=${UP_PORT:-8011}
GW_PORT=${GW_PORT:-50061}
LG_CPU=${LG_CPU:-0}
GW_CPU=${GW_CPU:-1}
KEY_SECRET="bench-key-hashing-secret"
command -v valgrind > /dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }

cd "$ROOT"
STAMP=$(date +%Y%m%d-%H%M%S)
WORK="$BENCH/logs/cycles-$STAMP"
mkdir -p "$WORK" "$BENCH/results"
OUT="$BENCH/results/cycles-$STAMP.txt"
taskset -c "$LG_CPU" "$PY" "$BENCH/upstream.py" --port "$UP_PORT" --tokens 20 > "$WORK/upstream.log" 2>&1 &
PIDS+=("$!")
sed "s#127.0.0.1:8001#127.0.0.1:$UP_PORT#" "$BENCH/gateway.yaml" > "$WORK/gateway.yaml"
LG=(taskset -c "$LG_CPU" "$PY" "$BENCH/loadgen.py" --target grpc --addr "127.0.0.1:$GW_PORT" --model bench/fake
  --mode unary -c "$CONC" --warmup 0)

echo "variant calls Ir/call I1-misses/call D1-misses/call est-cycles/call ratio" | tee "$OUT"
for variant in $VARIANTS; do
  src="" auth=${variant#before-}
  if [ "$auth" != "$variant" ]; then
    [ -n "${BEFORE_SRC:-}" ] || { echo "variant $variant needs BEFORE_SRC"; continue; }
    src=$BEFORE_SRC
  fi
  env_=(LLMGATEWAY_REGISTRY__DATABASE_URL="sqlite:///$WORK/registry-$variant.db" OPENAI_API_KEY=sk-bench-dummy
    GEMINI_API_KEY=bench-dummy LLMGATEWAY_KEY_SECRET="$KEY_SECRET" PYTHONPATH="${src:+$src:}$PYTHONPATH")
  key=()
  if [ "$auth" = keys ]; then
    secret=$(env "${env_[@]}" "$GW_BIN" --config "$WORK/gateway.yaml" keys create --name bench \
      --rpm 1000000000 --tpm 1000000000000 --concurrent 100000 2> /dev/null)
    env_+=(LLMGATEWAY_AUTH__MODE=required)
    key=(--api-key "$secret")
  fi
  env "${env_[@]}" taskset -c "$GW_CPU" valgrind --tool=callgrind --cache-sim=yes --instr-atstart=no \
    --callgrind-out-file="$WORK/callgrind-$variant.out" \
    "$PY" -m llmgateway.cli serve --address "127.0.0.1:$GW_PORT" --config "$WORK/gateway.yaml" \
    > "$WORK/gateway-$variant.log" 2>&1 &
  gw=$!
  PIDS+=("$gw")
  "$PY" "$BENCH/wait_ready.py" --addr "127.0.0.1:$GW_PORT" --model bench/fake --timeout 600 --pid "$gw" \
    "${key[@]}" > /dev/null || { echo "gateway ($variant) did not start"; tail "$WORK/gateway-$variant.log"; exit 1; }
  "${LG[@]}" -d "$WARMUP" "${key[@]}" > /dev/null 2>&1
  callgrind_control -i on "$gw" > /dev/null 2>&1
  "${LG[@]}" -d "$DUR" "${key[@]}" --out "$WORK/load-$variant.jsonl" > /dev/null 2>&1
  callgrind_control -d "$gw" > /dev/null 2>&1  # a dump starts the next period from zero
  sleep "$IDLE"
  callgrind_control -i off "$gw" > /dev/null 2>&1
  callgrind_control -d "$gw" > /dev/null 2>&1
  stop_pid "$gw"
  "$PY" "$BENCH/cycles.py" "$variant" "$WORK/load-$variant.jsonl" "$WORK/callgrind-$variant.out" "$DUR" "$IDLE" "$OUT" \
    | tee -a "$OUT"
done
echo "results: $OUT"
