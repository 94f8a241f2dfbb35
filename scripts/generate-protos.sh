#!/usr/bin/env bash
# Regenerates the Swift code of scripts/proto/*.proto (committed, so builds need neither protoc nor the plugin).
# Needs protoc (Debian: protobuf-compiler) and protoc-gen-swift built from apple/swift-protobuf at the version in
# Package.swift: PROTOC_GEN_SWIFT=/path/to/protoc-gen-swift scripts/generate-protos.sh
set -euo pipefail
cd "$(dirname "$0")/.."
plugin=${PROTOC_GEN_SWIFT:?set PROTOC_GEN_SWIFT to the protoc-gen-swift binary}
protoc --plugin=protoc-gen-swift="$plugin" --swift_opt=Visibility=Internal \
  --swift_out=Sources/SparseRLExperiments/TensorBoard -I scripts/proto scripts/proto/tensorboard_event.proto
