#!/usr/bin/env bash
# Resilience benchmark: one model, two deployments. Compares
#   healthy            both deployments healthy
#   failing            deployment b answers FAIL_RATE of its chat requests with HTTP 500
#                      (bench/upstream.py --fail-rate); retries (2) and cooldown (3 failures
#                      in 30 s take b out for 5 s)
#   failing-nocooldown the same without cooldown: b keeps half the traffic, retries absorb it
#   failing-bare       neither retries nor cooldown: the failures callers see without resilience
# and prints success rate, p50/p99 and the latency added over `healthy`.
#
#   bench/resilience.sh                    # DUR=10 WARMUP=2 CONCS="1 16" MODES="unary stream"
#   DUR=5 CONCS=16 bench/resilience.sh     # quick
#   FAIL_RATE=0.5 bench/resilience.sh
# Loopback only (a private network namespace when `unshare -n` is permitted). Every process
# it starts is stopped by PID on exit. Results: bench/results/resilience-STAMP.jsonl.
set -u
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DUR=${DUR:-10}
WARMUP=${WARMUP:-2}
CONCS=${CONCS:-"1 16"}
MODES=${MODES:-"unary stream"}
SCENARIOS=${SCENARIOS:-"healthy failing failing-nocooldown failing-bare"}
FAIL_RATE=${FAIL_RATE:-0.2}
TOKENS=${TOKENS:-20}
A_PORT=8011 # bench/resilience.yaml's primary deployment
HEALTHY_B_PORT=${HEALTHY_B_PORT:-8012}
FAILING_B_PORT=${FAILING_B_PORT:-8013}
GW_PORT=${GW_PORT:-50061}
LG_CPU=${LG_CPU:-0}
GW_CPU=${GW_CPU:-1}

cd "$ROOT"
STAMP=$(date +%Y%m%d-%H%M%S)
mkdir -p "$BENCH/results" "$BENCH/logs"
OUT=$BENCH/results/resilience-$STAMP.jsonl
TMP=$(mktemp -d)

on_exit() { rm -rf "$TMP"; }

start_upstream() { # port fail_rate
  taskset -c "$LG_CPU" "$PY" "$BENCH/upstream.py" --port "$1" --tokens "$TOKENS" --fail-rate "$2" \
    > "$BENCH/logs/resilience-upstream-$1-$STAMP.log" 2>&1 &
  PIDS+=("$!")
  for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$1/health" && return 0; sleep 0.1; done
  echo "upstream on $1 did not start"; exit 1
}
start_upstream "$A_PORT" 0
start_upstream "$HEALTHY_B_PORT" 0
start_upstream "$FAILING_B_PORT" "$FAIL_RATE"

for scenario in $SCENARIOS; do
  case $scenario in
    healthy) b_port=$HEALTHY_B_PORT retries=2 cooldown=3 ;;
    failing) b_port=$FAILING_B_PORT retries=2 cooldown=3 ;;
    failing-nocooldown) b_port=$FAILING_B_PORT retries=2 cooldown=1000000 ;;
    failing-bare) b_port=$FAILING_B_PORT retries=0 cooldown=1000000 ;;
    *) echo "unknown scenario $scenario"; continue ;;
  esac
  cfg="$TMP/gateway-$scenario.yaml"
  sed -e "s/B_PORT/$b_port/" -e "s/MAX_RETRIES/$retries/" -e "s/COOLDOWN_FAILURES/$cooldown/" "$BENCH/resilience.yaml" > "$cfg"
  for mode in $MODES; do
    for c in $CONCS; do
      # a fresh gateway (and registry database) per run: cooldown state starts empty
      log="$BENCH/logs/resilience-gateway-$scenario-$mode-$c-$STAMP.log"
      OPENAI_API_KEY=sk-bench-dummy LLMGATEWAY_REGISTRY__DATABASE_URL="sqlite:///$TMP/registry-$scenario-$mode-$c.db" \
        taskset -c "$GW_CPU" "$GW_BIN" serve --address "127.0.0.1:$GW_PORT" --config "$cfg" > "$log" 2>&1 &
      gw=$!
      PIDS+=("$gw")
      if ! "$PY" "$BENCH/wait_ready.py" --addr "127.0.0.1:$GW_PORT" --model bench/fake --timeout 60 --pid "$gw"; then
        echo "gateway did not become ready; log:"; tail -20 "$log"; exit 1
      fi
      taskset -c "$LG_CPU" "$PY" "$BENCH/loadgen.py" --target grpc --addr "127.0.0.1:$GW_PORT" \
        --model bench/fake --mode "$mode" -c "$c" -d "$DUR" --warmup "$WARMUP" --tokens "$TOKENS" \
        --label "$scenario" --note "fail_rate=$FAIL_RATE retries=$retries cooldown=$cooldown" --pid "sut=$gw" --out "$OUT"
      stop_pid "$gw"
    done
  done
done

"$PY" - "$OUT" <<'PYEOF'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
base = {(r["mode"], r["concurrency"]): r for r in rows if r["label"] == "healthy"}
print("\n| scenario | mode | c | calls | errors | success | RPS | p50 ms | p99 ms | added p50 | added p99 | gw CPU ms/call |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    total = r["ok"] + r["errors"]
    b = base.get((r["mode"], r["concurrency"]))
    def added(k):
        return f"{r[k] - b[k]:+.2f}" if b and r.get(k) is not None and b.get(k) is not None else "-"
    print(f"| {r['label']} | {r['mode']} | {r['concurrency']} | {total} | {r['errors']} | "
          f"{100 * r['ok'] / total if total else 0:.2f}% | {r['rps']} | {r['lat_p50_ms']} | {r['lat_p99_ms']} | "
          f"{added('lat_p50_ms')} | {added('lat_p99_ms')} | {r.get('cpu_sut_ms_per_call')} |")
PYEOF
echo "results: $OUT"
