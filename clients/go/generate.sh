#!/usr/bin/env bash
# Regenerates the Go code in clients/go/gen from every .proto under protos/ (buf.gen.yaml at the
# repository root; protoc-gen-go and protoc-gen-go-grpc pinned as tools in clients/go/go.mod, so
# no plugin needs installing) and copies clients/service_config.json next to the package that
# embeds it. `make generate` runs this.
#
#   clients/go/generate.sh        regenerate in place
#   clients/go/generate.sh DIR    write DIR/clients/go/... instead (the freshness test compares it)
set -euo pipefail
cd "$(dirname "$0")/../.."
for tool in go buf; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "clients/go/generate.sh: '$tool' is not installed (Go: https://go.dev/dl, buf: npm install -g @bufbuild/buf)" >&2
    exit 1
  fi
done
OUT=${1:-.}
buf generate --template buf.gen.yaml --output "$OUT"
mkdir -p "$OUT/clients/go/gateway"
cp clients/service_config.json "$OUT/clients/go/gateway/service_config.json"
