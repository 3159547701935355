#!/usr/bin/env bash
# Regenerates the Python stubs (messages, type stubs, gRPC) from protos/ with the
# protoc bundled in the pinned grpcio-tools wheel, into clients/python/src.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
PY="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")"  # absolute, without resolving the venv symlink
OUT=clients/python/src
find "$OUT/llmgateway" -name '*_pb2*.py*' -delete 2>/dev/null || true
mapfile -t PROTOS < <(cd protos && find llmgateway -name '*.proto' | sort)
(cd protos && "$PY" -m grpc_tools.protoc -I. \
  --python_out="$OLDPWD/$OUT" --pyi_out="$OLDPWD/$OUT" --grpc_python_out="$OLDPWD/$OUT" "${PROTOS[@]}")
