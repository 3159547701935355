#!/usr/bin/env bash
# llmgateway benchmark: one command, one run.
#
#   bench/run.sh                      # DUR=10 WARMUP=3 CONCS="1 16 64"
#   DUR=3 CONCS="1 16" bench/run.sh   # quick check
#   PHASES=profile bench/run.sh       # only profile the gateway under load (py-spy)
#   REPEATS=3 bench/run.sh            # the whole matrix 3 times; tables show median [min..max]
#   UP_ARGS="--fail-rate 0.2" PHASES=aiohttp bench/run.sh   # resilience: 20% upstream HTTP 500s
#
# Phases (PHASES, default "direct aiohttp httpx"):
#   direct   the load generator calls the bench upstream itself (the baseline)
#   aiohttp  the gateway (upstream client aiohttp, its default), Chat and StreamChat
#   httpx    the same with LLMGATEWAY_UPSTREAM__CLIENT=httpx
#   metrics  the aiohttp gateway with Prometheus metrics on (metrics.address 127.0.0.1:METRICS_PORT);
#            scraped once after its load (logs/metrics-*.txt) to check that every call was counted
#   cache    the gateway with the response cache on: every call after the first is a hit
#            (PHASES="aiohttp cache": hits against uncached calls in one run)
#   nosessions  the aiohttp gateway with no policy at all (pipeline.policies: []): what the
#            default pipeline (the sessions policy, on for every call) costs a direct call
#   sessions-sql    calls of bench/bot, a virtual model with memory over bench/fake, each session
#            continued for SESSION_TURNS calls; sessions in the SQLite registry database
#   sessions-redis  the same with sessions in a redis-server started for the phase (on LG_CPU)
#            (PHASES="aiohttp nosessions sessions-sql sessions-redis": all in one run)
#   history  bench/fake called directly with the conversation a bench/bot session would hold
#            (its system prompt and the turns so far, SESSION_TURNS calls long), kept by the
#            caller: sessions-* against it is what memory itself costs, apart from the longer
#            prompts it sends upstream (unary only)
#   ledger   the aiohttp gateway with the usage ledger off, then on (rows in its SQLite registry
#            database, written in batches off the calls' path; bench/fake is priced): what the
#            ledger costs per call (cpu_sut_ms_per_call, gateway-ledger-on against -off) and that
#            every call got a row (the rows, counted after the gateway stopped, against the calls)
#   floor    bench/floor.py on CPU 1: the same RPCs answered from memory (grpc.aio + protobuf only)
#   floor-md the same with a separate send_initial_metadata per call, as the gateway does
#   floor-keys  the floor with a keyed call's transport work: the loadgen sends an `authorization`
#            header, Chat answers with six `x-ratelimit-*` trailers (compare with `floor`)
#   relay    bench/floor.py --relay: the anchor kit's bare relay (grpc.aio + aiohttp) on our proto
#   keys-memory  the gateway requiring an API key whose three limits (requests, tokens, calls in
#            flight) are checked in-process; compare with `aiohttp` (auth off) for the CPU per call
#   keys-paired  keys-memory against auth off in paired slices: both gateways run at once (on
#            GW_CPU, one loaded at a time) and the load alternates between them PAIRS times per
#            mode and concurrency (ABBA order), so that the machine's drift falls on both alike;
#            the summary gives the median and spread of the paired differences (DUR=2 WARMUP=0.5)
#   keys-redis   the same with the limits in a redis-server (on CPU 0, REDIS_PORT); prints the
#            script round trips per call (EVALSHA calls / gateway calls)
#   budgets-memory  the gateway with two budgets (global per day, per model per month) far above the
#            load, counted in-process; compare with `aiohttp` (no budget) for the CPU per call
#   budgets-redis   the same with the counters in a redis-server (on CPU 0, REDIS_PORT); prints the
#            script round trips per call (EVALSHA calls / gateway calls: 2, admit and settle)
#   adapters the gateway (aiohttp) through each adapter in turn, same upstream and latency:
#            bench/fake (OpenAI), bench/gemini, bench/ollama (ADAPTER_MODELS)
#   long     long paced streams (LONG_TOKENS tokens, LONG_DELAY_MS apart) at LONG_CONCS, direct and
#            through the gateway in each of LONG_VARIANTS (a fresh gateway per cell): streams/s,
#            TTFT and added TTFT, CPU per streamed chunk, RSS per open stream, coalescing ratio;
#            the load generator runs in LONG_PROCS processes (LONG_CHANNELS connections each)
#   profile  py-spy record of the gateway (aiohttp) for PROF_DUR s per mode at c=PROF_CONC
#            (PROF_RATE samples per second, default 250)
#            (PYSPY_NATIVE=1 adds C frames: grpc core, uvloop, protobuf; it pauses the process
#            for each sample, so it slows the gateway down)
# Pinning: load generator and upstream on CPU 0 (LG_CPU), gateway on CPU 1 (GW_CPU).
# Network: re-executes itself in a private loopback-only namespace (unshare -n) when
# NETNS=1 (default) and that is permitted; otherwise runs on the host loopback.
# Every process it starts is stopped (by PID) on exit. Results: bench/results/.
set -u
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DUR=${DUR:-10}
WARMUP=${WARMUP:-3}
CONCS=${CONCS:-"1 16 64"}
MODES=${MODES:-"unary stream"}
PHASES=${PHASES:-"direct aiohttp httpx"}
REPEATS=${REPEATS:-1}
TOKENS=${TOKENS:-20}
UP_PORT=${UP_PORT:-8001}
GW_PORT=${GW_PORT:-50051}
METRICS_PORT=${METRICS_PORT:-9464}
LG_CPU=${LG_CPU:-0}
GW_CPU=${GW_CPU:-1}
PROF_DUR=${PROF_DUR:-10}
PROF_CONC=${PROF_CONC:-16}
PROF_MODES=${PROF_MODES:-"unary stream"}
REDIS_PORT=${REDIS_PORT:-6399}
# The keys phases' key: three limits far above the load (KEY_LIMITS="" measures auth alone).
DEFAULT_KEY_LIMITS="--rpm 1000000000 --tpm 1000000000000 --concurrent 100000"
PAIRS=${PAIRS:-10}
ADAPTER_MODELS=${ADAPTER_MODELS:-"bench/fake bench/gemini bench/ollama"}
SESSION_TURNS=${SESSION_TURNS:-10}
# The budgets phases' budgets (JSON of the `budgets:` settings).
BUDGETS=${BUDGETS:-'{"limits": [{"name": "bench-day", "limit": "1000000000"}, {"name": "bench-model", "scope": "model", "period": "month", "limit": "1000000000"}]}'}
MODEL=bench/fake
# The long-stream phase: its own paced upstream on LONG_UP_PORT. Variants: gateway (the
# defaults), no-coalesce (upstream.coalesce_deltas off), before (the gateway sources in
# BEFORE_SRC, e.g. an older commit's server/ from `git archive`), workers2 (--workers 2 on
# CPUs GW_CPU and LG_CPU: it then shares a core with the load generator and the upstream),
# loopsN (server.accept_loops N: N grpc.aio servers on the port in the one process), floor
# (bench/floor.py pacing its own deltas: grpc.aio alone), relay (bench/floor.py --relay: the bare
# relay of the long upstream).
LONG_CONCS=${LONG_CONCS:-"200 500 1000 2000"}
LONG_VARIANTS=${LONG_VARIANTS:-"gateway"}
LONG_TOKENS=${LONG_TOKENS:-40}
LONG_DELAY_MS=${LONG_DELAY_MS:-50}
LONG_DUR=${LONG_DUR:-20}
LONG_WARMUP=${LONG_WARMUP:-6}
LONG_PROCS=${LONG_PROCS:-2}
LONG_CHANNELS=${LONG_CHANNELS:-4}
LONG_UP_PORT=${LONG_UP_PORT:-8002}

cd "$ROOT"
STAMP=$(date +%Y%m%d-%H%M%S)
mkdir -p "$BENCH/results" "$BENCH/logs"
OUT=${OUT:-$BENCH/results/results-$STAMP.jsonl}
META=$BENCH/results/meta-$STAMP.txt

# fingerprint of the server sources: the gateway may change between runs while it is developed
src_hash() { find "$ROOT/server" -name '*.py' -print0 | sort -z | xargs -0 cat | sha1sum | cut -c1-12; }
rss_mb() { "$PY" -c "import psutil,sys;p=psutil.Process($1);print(round(sum(x.memory_info().rss for x in [p,*p.children(True)])/2**20,1))"; }

{
  echo "date: $(date -Is)"
  echo "host: $(uname -r) cpu:$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) nproc=$(nproc)"
  if [ -n "${BENCH_IN_NETNS:-}" ]; then echo "netns: private (unshare -n)"; else echo "netns: host loopback"; fi
  echo "python: $("$PY" -V 2>&1)"
  "$PY" -c "import aiohttp,grpc,httpx,uvloop,psutil;print('aiohttp',aiohttp.__version__,'grpcio',grpc.__version__,'httpx',httpx.__version__,'uvloop',uvloop.__version__,'psutil',psutil.__version__)"
  echo "LONG_CONCS=$LONG_CONCS LONG_VARIANTS=$LONG_VARIANTS LONG_TOKENS=$LONG_TOKENS LONG_DELAY_MS=$LONG_DELAY_MS LONG_DUR=$LONG_DUR LONG_WARMUP=$LONG_WARMUP LONG_PROCS=$LONG_PROCS BEFORE_SRC=${BEFORE_SRC:-}"
  echo "UP_ARGS=${UP_ARGS:-} DUR=$DUR WARMUP=$WARMUP CONCS=$CONCS MODES=$MODES PHASES=$PHASES REPEATS=$REPEATS TOKENS=$TOKENS LG_CPU=$LG_CPU GW_CPU=$GW_CPU"
  echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "server sources: $(src_hash)"
} | tee "$META"
GW_SRC=$(src_hash)

# --- upstream (CPU 0, with the load generator) ---------------------------------------------------
# shellcheck disable=SC2086  # UP_ARGS: extra upstream flags, word-split on purpose
taskset -c "$LG_CPU" "$PY" "$BENCH/upstream.py" --port "$UP_PORT" --tokens "$TOKENS" ${UP_ARGS:-} \
  > "$BENCH/logs/upstream-$STAMP.log" 2>&1 &
UPID=$!
PIDS+=("$UPID")
for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$UP_PORT/health" && break; sleep 0.1; done
curl -sf -o /dev/null "http://127.0.0.1:$UP_PORT/health" || { echo "upstream did not start"; exit 1; }

LG_BASE=(taskset -c "$LG_CPU" "$PY" "$BENCH/loadgen.py" -d "$DUR" --warmup "$WARMUP" --tokens "$TOKENS")
LG=("${LG_BASE[@]}" --out "$OUT")

# gateway config: bench/gateway.yaml, with the upstream port substituted when it differs
CFG="$BENCH/gateway.yaml"
if [ "$UP_PORT" != 8001 ]; then
  CFG="$BENCH/logs/gateway-$STAMP.yaml"
  sed "s#127.0.0.1:8001#127.0.0.1:$UP_PORT#" "$BENCH/gateway.yaml" > "$CFG"
fi

GWPID=""
GW_ENV=()  # extra environment of the next gateway start (the cache and keys phases' settings)
GW_ARGS=()  # extra `serve` flags of the next gateway start (the long phase's --workers)
GW_CPUS=""  # CPUs of the next gateway start (default GW_CPU)
start_gateway() { # variant (aiohttp, httpx, metrics) [name]: the upstream client, or aiohttp with metrics on
  if [ ! -x "$GW_BIN" ]; then echo "no gateway binary at $GW_BIN"; exit 1; fi
  local t0 t1 client=$1 metrics_addr="" name=${2:-$1}
  if [ "$1" = metrics ]; then client=aiohttp metrics_addr=127.0.0.1:$METRICS_PORT; fi
  t0=$(date +%s.%N)
  # a private, fresh model registry per gateway start (the default is a shared SQLite file in ~)
  env "${GW_ENV[@]}" OPENAI_API_KEY="${OPENAI_API_KEY:-sk-bench-dummy}" GEMINI_API_KEY="${GEMINI_API_KEY:-bench-dummy}" \
    LLMGATEWAY_UPSTREAM__CLIENT="$client" \
    LLMGATEWAY_METRICS__ADDRESS="$metrics_addr" \
    LLMGATEWAY_REGISTRY__DATABASE_URL="${REGISTRY_URL:-sqlite:///$BENCH/logs/registry-$STAMP-$name-rep${REP:-1}.db}" \
    taskset -c "${GW_CPUS:-$GW_CPU}" "$GW_BIN" serve --address "127.0.0.1:$GW_PORT" --config "${GW_CFG:-$CFG}" \
    "${GW_ARGS[@]}" > "$BENCH/logs/gateway-$name-$STAMP-rep${REP:-1}.log" 2>&1 &
  GWPID=$!
  PIDS+=("$GWPID")
  if ! "$PY" "$BENCH/wait_ready.py" --addr "127.0.0.1:$GW_PORT" --model "$MODEL" --timeout 60 --pid "$GWPID" \
    --api-key "${API_KEY:-}"; then
    echo "gateway ($name) did not become ready; log:"; tail -30 "$BENCH/logs/gateway-$name-$STAMP-rep${REP:-1}.log"; exit 1
  fi
  t1=$(date +%s.%N)
  GW_SRC=$(src_hash)
  echo "startup gateway-$name rep=${REP:-1} seconds=$(echo "$t1 - $t0" | bc) idle_rss_mb=$(rss_mb "$GWPID") server_src=$GW_SRC" \
    | tee -a "$META"
}
start_long_floor() { # floor | relay: bench/floor.py paced like the long upstream, or relaying it; its PID in GWPID
  local fflag=(--tokens "$LONG_TOKENS" --token-delay-ms "$LONG_DELAY_MS")
  [ "$1" = relay ] && fflag=(--relay "http://127.0.0.1:$LONG_UP_PORT/v1" --connections 0)
  taskset -c "$GW_CPU" "$PY" "$BENCH/floor.py" --port "$GW_PORT" "${fflag[@]}" > "$BENCH/logs/long-$1-$STAMP.log" 2>&1 &
  GWPID=$!
  PIDS+=("$GWPID")
  "$PY" "$BENCH/wait_ready.py" --addr "127.0.0.1:$GW_PORT" --model "$MODEL" --timeout 30 --pid "$GWPID" \
    || { echo "floor server did not start"; exit 1; }
}
scrape_metrics() { # after a metrics phase: keep the exposition, print the calls it counted
  local out="$BENCH/logs/metrics-$STAMP-rep${REP:-1}.txt"
  curl -sf "http://127.0.0.1:$METRICS_PORT/metrics" > "$out" || { echo "metrics scrape failed"; return 0; }
  echo "metrics: $(awk '/^llmgateway_calls_total/ {n += $NF} END {printf "%d", n}' "$out") calls counted" \
    "($(grep -c '^[a-z]' "$out") samples, $(wc -c < "$out") bytes) -> $out" | tee -a "$META"
}
start_redis() { # a throwaway redis-server on LG_CPU (REDIS_PORT) for a phase; its PID in RPID
  command -v redis-server > /dev/null || { echo "redis-server is not installed"; return 1; }
  taskset -c "$LG_CPU" redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    > "$BENCH/logs/redis-$STAMP.log" 2>&1 &
  RPID=$!
  PIDS+=("$RPID")
  for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping > /dev/null 2>&1 && break; sleep 0.1; done
}
keyed_gateway() { # phase: a registry of its own with the bench key (API_KEY), GW_ENV requiring it
  REGISTRY_URL="sqlite:///$BENCH/logs/registry-$STAMP-$1-rep$REP.db"
  local secret="bench-key-hashing-secret"
  # shellcheck disable=SC2086  # KEY_LIMITS: flags, word-split on purpose
  API_KEY=$(LLMGATEWAY_REGISTRY__DATABASE_URL="$REGISTRY_URL" LLMGATEWAY_KEY_SECRET="$secret" \
    "$GW_BIN" --config "$CFG" keys create --name bench ${KEY_LIMITS-$DEFAULT_KEY_LIMITS} 2> /dev/null)
  GW_ENV=(LLMGATEWAY_AUTH__MODE=required LLMGATEWAY_KEY_SECRET="$secret")
}
round_trips() { # mode c: Lua script runs (EVALSHA) per gateway call since the last `config resetstat`
  local calls evals
  calls=$(tail -1 "$OUT" | "$PY" -c "import json,sys;r=json.load(sys.stdin);print(r['calls_started'])")
  evals=$(redis-cli -p "$REDIS_PORT" info commandstats | sed -n 's/^cmdstat_evalsha:calls=\([0-9]*\).*/\1/p')
  echo "redis round trips $1 c=$2: evalsha=${evals:-0} calls=$calls per_call=$(echo "scale=3; ${evals:-0} / $calls" | bc)" | tee -a "$META"
}
stop_gateway() {
  [ -n "$GWPID" ] || return 0
  echo "after-load gateway rss_mb=$(rss_mb "$GWPID")" | tee -a "$META"
  stop_pid "$GWPID"
  GWPID=""
}

for REP in $(seq 1 "$REPEATS"); do
  for phase in $PHASES; do
    echo "=== rep $REP: $phase ($(date +%T))"
    case $phase in
      direct)
        for mode in $MODES; do
          for c in $CONCS; do
            "${LG[@]}" --target http --url "http://127.0.0.1:$UP_PORT/v1/chat/completions" \
              --mode "$mode" -c "$c" --label direct --pid "upstream=$UPID" --note "rep=$REP"
          done
        done
        ;;
      aiohttp|httpx|metrics)
        start_gateway "$phase"
        for mode in $MODES; do
          for c in $CONCS; do
            "${LG[@]}" --target grpc --addr "127.0.0.1:$GW_PORT" --model "$MODEL" --mode "$mode" -c "$c" \
              --label "gateway-$phase" --pid "sut=$GWPID" --pid "upstream=$UPID" --note "rep=$REP src=$GW_SRC"
          done
        done
        [ "$phase" = metrics ] && scrape_metrics
        stop_gateway
        ;;
      keys-paired)
        start_gateway aiohttp keys-paired-off
        OFF_PID=$GWPID OFF_PORT=$GW_PORT
        keyed_gateway "$phase"
        GW_PORT=$((OFF_PORT + 1))
        start_gateway aiohttp keys-paired-on
        ON_PID=$GWPID ON_PORT=$GW_PORT GW_PORT=$OFF_PORT GW_ENV=()
        for mode in $MODES; do
          for c in $CONCS; do
            for pair in $(seq 1 "$PAIRS"); do
              order="off on"
              [ $((pair % 2)) = 0 ] && order="on off"
              for side in $order; do
                if [ "$side" = off ]; then port=$OFF_PORT pid=$OFF_PID key=(); else port=$ON_PORT pid=$ON_PID key=(--api-key "$API_KEY"); fi
                "${LG[@]}" --target grpc --addr "127.0.0.1:$port" --model "$MODEL" --mode "$mode" -c "$c" "${key[@]}" \
                  --label "gateway-keys-paired-$side" --pid "sut=$pid" --pid "upstream=$UPID" \
                  --note "rep=$REP pair=$pair src=$GW_SRC"
              done
            done
          done
        done
        stop_pid "$ON_PID"
        stop_pid "$OFF_PID"
        GWPID=""
        unset REGISTRY_URL API_KEY
        ;;
      keys-memory|keys-redis)
        # A key with three limits far above the load (nothing is refused; every call pays for them).
        keyed_gateway "$phase"
        if [ "$phase" = keys-redis ]; then
          start_redis || continue
          GW_ENV+=(LLMGATEWAY_REDIS__URL="redis://127.0.0.1:$REDIS_PORT/0")
        fi
        start_gateway aiohttp "$phase"
        for mode in $MODES; do
          for c in $CONCS; do
            [ "$phase" = keys-redis ] && redis-cli -p "$REDIS_PORT" config resetstat > /dev/null
            "${LG[@]}" --target grpc --addr "127.0.0.1:$GW_PORT" --model "$MODEL" --mode "$mode" -c "$c" \
              --api-key "$API_KEY" --label "gateway-$phase" --pid "sut=$GWPID" --pid "upstream=$UPID" \
              --note "rep=$REP src=$GW_SRC"
            [ "$phase" = keys-redis ] && round_trips "$mode" "$c"
          done
        done
        stop_gateway
        [ "$phase" = keys-redis ] && stop_pid "$RPID"
        GW_ENV=()
        unset REGISTRY_URL API_KEY
        ;;
      budgets-memory|budgets-redis)
        # Two budgets far above the load (a daily global one and a monthly one per model): every
        # call reserves its worst case on both and settles to its cost (bench/fake is priced).
        # Run with the aiohttp phase (PHASES="aiohttp budgets-memory budgets-redis") for the
        # same gateway without budgets in the same run.
        GW_ENV=(LLMGATEWAY_BUDGETS="$BUDGETS")
        if [ "$phase" = budgets-redis ]; then
          start_redis || continue
          GW_ENV+=(LLMGATEWAY_REDIS__URL="redis://127.0.0.1:$REDIS_PORT/0")
        fi
        start_gateway aiohttp "$phase"
        GW_ENV=()
        for mode in $MODES; do
          for c in $CONCS; do
            [ "$phase" = budgets-redis ] && redis-cli -p "$REDIS_PORT" config resetstat > /dev/null
            "${LG[@]}" --target grpc --addr "127.0.0.1:$GW_PORT" --model "$MODEL" --mode "$mode" -c "$c" \
              --label "gateway-$phase" --pid "sut=$GWPID" --pid "upstream=$UPID" --note "rep=$REP src=$GW_SRC"
            [ "$phase" = budgets-redis ] && round_trips "$mode" "$c"
          done
        done
        stop_gateway
        [ "$phase" = budgets-redis ] && stop_pid "$RPID"
        ;;
      adapters)
        # the same gateway through each adapter: interleaved per concurrency, so that noise
        # on the machine falls on all of them alike
        start_gateway aiohttp
        for mode in $MODES; do
          for c in $CONCS; do
            for model in $ADAPTER_MODELS; do
              label=${model#bench/}
              [ "$label" = fake ] && label=openai
              "${LG[@]}" --target grpc --addr "127.0.0.1:$GW_PORT" --model "$model" --mode "$mode" -c "$c" \
                --label "adapter-$label" --pid "sut=$GWPID" --pid "upstream=$UPID" --note "rep=$REP src=$GW_SRC"
            done
          done
        done
        stop_gateway
        ;;
      cache)
        # The response cache: every load generator call sends the same request, so after the
        # first call each one is a hit (cached although it samples: cache.sampled); a hit on
        # StreamChat is replayed in 4-character deltas, the upstream's 20 " tok" chunks. Run it
        # with the aiohttp phase (PHASES="aiohttp cache") for the uncached figures of the same run.
        # Then StreamChat hits replayed with the default chunking, one delta per part
        # (gateway-cache-hit-1delta; --tokens 0: the load generator expects no delta count).
        for chunk in 4 0; do
          GW_ENV=(LLMGATEWAY_CACHE__ENABLED=true LLMGATEWAY_CACHE__SAMPLED=true LLMGATEWAY_CACHE__REPLAY_CHUNK_CHARS=$chunk)
          start_gateway aiohttp "cache-$chunk"
          GW_ENV=()
          for mode in $MODES; do
            [ "$chunk" = 0 ] && [ "$mode" = unary ] && continue
            label=gateway-cache-hit
            lg=("${LG[@]}")
            if [ "$chunk" = 0 ]; then label=gateway-cache-hit-1delta; lg+=(--tokens 0); fi
            for c in $CONCS; do
              "${lg[@]}" --target grpc --addr "127.0.0.1:$GW_PORT" --model "$MODEL" --mode "$mode" -c "$c" \
                --label "$label" --pid "sut=$GWPID" --pid "upstream=$UPID" --note "rep=$REP src=$GW_SRC"
            done
          done
          stop_gateway
        done
        ;;
      nosessions)
        GW_ENV=(LLMGATEWAY_PIPELINE__POLICIES='[]')
        start_gateway aiohttp nosessions
        GW_ENV=()
        for mode in $MODES; do
          for c in $CONCS; do
            "${LG[@]}" --target grpc --addr "127.0.0.1:$GW_PORT" --model "$MODEL" --mode "$mode" -c "$c" \
              --label "gateway-nosessions" --pid "sut=$GWPID" --pid "upstream=$UPID" --note "rep=$REP src=$GW_SRC"
          done
        done
        stop_gateway
        ;;
      history)
        start_gateway aiohttp history
        for c in $CONCS; do
          "${LG[@]}" --target grpc --addr "127.0.0.1:$GW_PORT" --model "$MODEL" --mode unary -c "$c" \
            --history-turns "$SESSION_TURNS" --label "gateway-history" --pid "sut=$GWPID" --pid "upstream=$UPID" \
            --note "rep=$REP src=$GW_SRC turns=$SESSION_TURNS"
        done
        stop_gateway
        ;;
      sessions-sql|sessions-redis)
        extra=()
        if [ "$phase" = sessions-redis ]; then
          start_redis || continue
          GW_ENV=(LLMGATEWAY_REDIS__URL="redis://127.0.0.1:$REDIS_PORT/0")
          extra=(--pid "redis=$RPID")
        fi
        start_gateway aiohttp "$phase"
        GW_ENV=()
        for mode in $MODES; do
          for c in $CONCS; do
            "${LG[@]}" --target grpc --addr "127.0.0.1:$GW_PORT" --model bench/bot --mode "$mode" -c "$c" \
              --session-turns "$SESSION_TURNS" --label "gateway-$phase" --pid "sut=$GWPID" --pid "upstream=$UPID" \
              "${extra[@]}" --note "rep=$REP src=$GW_SRC turns=$SESSION_TURNS"
          done
        done
        stop_gateway
        [ "$phase" = sessions-redis ] && stop_pid "$RPID"
        ;;
      ledger)
        # off then on, and on then off in even repeats: a machine that gets busier favours neither
        variants="off on"
        [ $((REP % 2)) = 0 ] && variants="on off"
        for variant in $variants; do
          GW_ENV=(LLMGATEWAY_LEDGER__ENABLED=$([ "$variant" = on ] && echo true || echo false))
          REGISTRY_URL="sqlite:///$BENCH/logs/registry-$STAMP-ledger-$variant-rep$REP.db"
          start_gateway aiohttp "ledger-$variant"
          GW_ENV=()
          calls=0
          for mode in $MODES; do
            for c in $CONCS; do
              "${LG[@]}" --target grpc --addr "127.0.0.1:$GW_PORT" --model "$MODEL" --mode "$mode" -c "$c" \
                --label "gateway-ledger-$variant" --pid "sut=$GWPID" --pid "upstream=$UPID" --note "rep=$REP src=$GW_SRC"
              calls=$((calls + $(tail -1 "$OUT" | "$PY" -c "import json,sys;r=json.load(sys.stdin);print(r['calls_started'])")))
            done
          done
          stop_gateway
          if [ "$variant" = on ]; then
            rows=$("$PY" -c "import sqlite3,sys;print(sqlite3.connect(sys.argv[1]).execute('select count(*) from usage_ledger').fetchone()[0])" \
              "${REGISTRY_URL#sqlite:///}")
            echo "ledger rows=$rows calls_started=$calls (every call started gets a row: equal)" | tee -a "$META"
          fi
          unset REGISTRY_URL
        done
        ;;
      floor|floor-md|floor-keys|relay)
        # grpc.aio floor: the same RPCs answered from memory (floor-md: plus the gateway's
        # separate send_initial_metadata per call; relay: relayed to the upstream by aiohttp)
        fflag=""
        [ "$phase" = floor-md ] && fflag="--initial-metadata"
        [ "$phase" = floor-keys ] && fflag="--ratelimit-trailers"
        [ "$phase" = relay ] && fflag="--relay http://127.0.0.1:$UP_PORT/v1"
        # shellcheck disable=SC2086
        taskset -c "$GW_CPU" "$PY" "$BENCH/floor.py" --port "$GW_PORT" $fflag > "$BENCH/logs/$phase-$STAMP.log" 2>&1 &
        FPID=$!
        PIDS+=("$FPID")
        "$PY" "$BENCH/wait_ready.py" --addr "127.0.0.1:$GW_PORT" --model "$MODEL" --timeout 30 --pid "$FPID" \
          || { echo "floor server did not start"; exit 1; }
        for mode in $MODES; do
          for c in $CONCS; do
            # shellcheck disable=SC2046  # the key flag: two words or none
            "${LG[@]}" --target grpc --addr "127.0.0.1:$GW_PORT" --model "$MODEL" --mode "$mode" -c "$c" \
              $([ "$phase" = floor-keys ] && echo --api-key llmgw_0123456789ab_mSmX7zjEeJ3E3vMFhDtLNMc0DgT5bJo8whKaPpuaLVw) \
              --label "grpc-$phase" --pid "sut=$FPID" --pid "upstream=$UPID" --note "rep=$REP"
          done
        done
        stop_pid "$FPID"
        ;;
      long)
        if [ -z "${LUPID:-}" ]; then
          taskset -c "$LG_CPU" "$PY" "$BENCH/upstream.py" --port "$LONG_UP_PORT" --tokens "$LONG_TOKENS" \
            --token-delay-ms "$LONG_DELAY_MS" > "$BENCH/logs/upstream-long-$STAMP.log" 2>&1 &
          LUPID=$!
          PIDS+=("$LUPID")
          for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$LONG_UP_PORT/health" && break; sleep 0.1; done
          LONG_CFG="$BENCH/logs/gateway-long-$STAMP.yaml"
          sed "s#127.0.0.1:8001#127.0.0.1:$LONG_UP_PORT#" "$BENCH/gateway.yaml" > "$LONG_CFG"
        fi
        LLG=(taskset -c "$LG_CPU" "$PY" "$BENCH/loadgen.py" -d "$LONG_DUR" --warmup "$LONG_WARMUP"
          --tokens "$LONG_TOKENS" --mode stream --procs "$LONG_PROCS" --timeout 60 --out "$OUT")
        for c in $LONG_CONCS; do
          "${LLG[@]}" --target http --url "http://127.0.0.1:$LONG_UP_PORT/v1/chat/completions" -c "$c" \
            --label long-direct --pid "upstream=$LUPID" --note "rep=$REP"
          for variant in $LONG_VARIANTS; do
            GW_ENV=() GW_ARGS=() GW_CPUS="" GW_CFG="$LONG_CFG"
            case $variant in
              no-coalesce) GW_ENV=(LLMGATEWAY_UPSTREAM__COALESCE_DELTAS=false) ;;
              before)
                if [ -z "${BEFORE_SRC:-}" ]; then echo "variant before needs BEFORE_SRC"; continue; fi
                # older sources know no virtual model: their config stops before bench/bot
                sed '/^  # The sessions phases/,$d' "$LONG_CFG" > "$LONG_CFG.before.yaml"
                GW_ENV=(PYTHONPATH="$BEFORE_SRC:$PYTHONPATH") GW_CFG="$LONG_CFG.before.yaml" ;;
              workers2) GW_ARGS=(--workers 2) GW_CPUS="$GW_CPU,$LG_CPU" ;;
              loops*) GW_ENV=(LLMGATEWAY_SERVER__ACCEPT_LOOPS="${variant#loops}") ;;
            esac
            case $variant in
              floor | relay) start_long_floor "$variant" ;;
              *) start_gateway aiohttp "long-$variant-c$c" ;;
            esac
            "${LLG[@]}" --target grpc --addr "127.0.0.1:$GW_PORT" --channels "$LONG_CHANNELS" -c "$c" \
              --label "long-$variant" --pid "sut=$GWPID" --pid "upstream=$LUPID" --note "rep=$REP src=$GW_SRC"
            stop_gateway
          done
        done
        GW_ENV=() GW_ARGS=() GW_CPUS="" GW_CFG=""
        ;;
      profile)
        PYSPY=${PYSPY:-$(dirname "$PY")/py-spy}
        if [ ! -x "$PYSPY" ]; then echo "py-spy not found at $PYSPY (pip install py-spy)"; continue; fi
        # PROF_REDIS=1: a redis-server for the gateway's redis.url; PROF_ENV: more gateway
        # settings (VAR=value words); PROF_MODEL / PROF_LG_ARGS: what the load generator calls.
        if [ -n "${PROF_REDIS:-}" ]; then
          start_redis || continue
          GW_ENV=(LLMGATEWAY_REDIS__URL="redis://127.0.0.1:$REDIS_PORT/0")
        fi
        # shellcheck disable=SC2206  # PROF_ENV and PROF_LG_ARGS: words, split on purpose
        GW_ENV+=(${PROF_ENV:-})
        start_gateway aiohttp
        GW_ENV=()
        for mode in $PROF_MODES; do
          prof="$BENCH/results/profile-$mode-$STAMP.txt"
          # shellcheck disable=SC2086
          "${LG_BASE[@]}" --target grpc --addr "127.0.0.1:$GW_PORT" --model "${PROF_MODEL:-$MODEL}" --mode "$mode" \
            -c "$PROF_CONC" -d "$((PROF_DUR + 2))" --label "profile" --pid "sut=$GWPID" ${PROF_LG_ARGS:-} > /dev/null &
          lgpid=$!
          PIDS+=("$lgpid")
          sleep "$WARMUP"
          # --nonblocking: sample without pausing the gateway (not possible with --native)
          spy=(record --pid "$GWPID" --duration "$PROF_DUR" --rate "${PROF_RATE:-250}" --format raw --output "$prof.raw")
          if [ -n "${PYSPY_NATIVE:-}" ]; then spy+=(--native); else spy+=(--nonblocking); fi
          spylog="$BENCH/logs/py-spy-$mode-$STAMP.log"
          taskset -c "$LG_CPU" "$PYSPY" "${spy[@]}" > "$spylog" 2>&1 || { echo "py-spy failed:"; tail -5 "$spylog"; }
          wait "$lgpid"
          [ -s "$prof.raw" ] && "$PY" "$BENCH/pyspy_top.py" "$prof.raw" | tee "$prof"
        done
        stop_gateway
        [ -n "${PROF_REDIS:-}" ] && stop_pid "$RPID"
        ;;
      *) echo "unknown phase $phase" ;;
    esac
  done
done
echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$META"

if [ -s "$OUT" ]; then
  echo "results: $OUT"
  "$PY" "$BENCH/summarize.py" "$OUT" | tee "$BENCH/results/summary-$STAMP.md"
fi
