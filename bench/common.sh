# Sourced by run.sh and resilience.sh (with no arguments, so "$@" is the script's own):
# the loopback-only network namespace, the interpreter and gateway paths, and stopping every
# process the script starts when it exits. Scripts add PIDs to PIDS; an `on_exit` function,
# when defined, runs after they are stopped.
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"

# Re-executes the calling script in a private network namespace with only `lo` (NETNS=1, the
# default) when that is permitted, so nothing leaves the machine and ports cannot collide.
if [ "${NETNS:-1}" = 1 ] && [ -z "${BENCH_IN_NETNS:-}" ]; then
  if unshare -n true 2>/dev/null; then
    export BENCH_IN_NETNS=1
    exec unshare -n -- bash "$0" "$@"
  fi
  echo "note: unshare -n not permitted; using the host loopback" >&2
fi
if [ -n "${BENCH_IN_NETNS:-}" ]; then ip link set lo up; fi

PY=${PY:-$ROOT/.venv/bin/python}
GW_BIN=${GW_BIN:-$ROOT/.venv/bin/llmgateway}
export PYTHONPATH="$ROOT/clients/python/src${PYTHONPATH:+:$PYTHONPATH}"

PIDS=()
stop_pid() { # pid: TERM, wait up to 10 s, then KILL
  local p=$1
  kill -0 "$p" 2>/dev/null || return 0
  kill -TERM "$p" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
  wait "$p" 2>/dev/null
  return 0
}
cleanup() {
  for p in "${PIDS[@]}"; do [ -n "$p" ] && stop_pid "$p"; done
  if declare -F on_exit > /dev/null; then on_exit; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
