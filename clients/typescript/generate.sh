#!/usr/bin/env bash
# Regenerates the TypeScript code (protobuf-es messages and service descriptors) from every
# .proto under protos/ plus the vendored google/rpc/error_details.proto, with the protoc-gen-es
# pinned in package.json (a buf `local:` plugin from node_modules: works offline), into
# clients/typescript/src/gen, and refreshes the bundled copy of clients/service_config.json.
#
#   clients/typescript/generate.sh            # regenerate in place (run by `make generate`)
#   clients/typescript/generate.sh DIR        # write the generated tree to DIR instead (freshness test)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DEST="${1:-$HERE/src/gen}"
mkdir -p "$DEST"
DEST="$(cd "$DEST" && pwd)"

if [ ! -x "$HERE/node_modules/.bin/protoc-gen-es" ]; then
  command -v npm >/dev/null 2>&1 || { echo "generate.sh: npm is required (Node.js 20+)" >&2; exit 1; }
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
fi
command -v buf >/dev/null 2>&1 || { echo "generate.sh: buf is required (npm install -g @bufbuild/buf)" >&2; exit 1; }

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# The template's inputs and plugin path are relative to the repository root; -o puts the output
# under TMP so that stale files never survive and DEST is only replaced on success.
(cd "$ROOT" && buf generate --template clients/typescript/buf.gen.yaml -o "$TMP")
rm -rf "$DEST"
mkdir -p "$(dirname "$DEST")"
mv "$TMP/clients/typescript/src/gen" "$DEST"

if [ $# -eq 0 ]; then
  cp "$ROOT/clients/service_config.json" "$HERE/service_config.json"
fi
