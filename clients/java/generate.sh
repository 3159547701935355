#!/usr/bin/env bash
# Regenerates the committed grpc-java code in src/main/java-gen from every .proto under ../../protos,
# with the protoc and protoc-gen-grpc-java versions pinned in pom.xml (downloaded from Maven Central).
# `make generate` runs it. `mvn verify` fails (GeneratedCodeTest) when src/main/java-gen is stale.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v mvn >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then
  echo "clients/java/generate.sh: needs java (JDK 17+) and mvn (Maven 3.8+) on PATH" >&2
  exit 1
fi

mvn -B -q -Dllmgateway.build.dir=target generate-sources
rm -rf src/main/java-gen
mkdir -p src/main/java-gen
cp -R target/generated-sources/protobuf/. src/main/java-gen/
echo "clients/java: regenerated $(find src/main/java-gen -name '*.java' | wc -l) files in src/main/java-gen"
