#!/usr/bin/env bash
# The API documentation: one DocC archive per library module, .build/documentation/<Module>.doccarchive, from
# its catalog (Sources/<Module>/Documentation.docc) and the symbol graph of the release build. Fails on any DocC
# warning and on any public symbol without a doc comment (listing them).
# Usage: scripts/docs.sh [swift build options...]   (scripts/test.sh passes its own, so nothing is rebuilt)
# The same documentation through the DocC plugin, to browse it locally:
#   swift package --disable-sandbox preview-documentation --target SparseRLAgents
set -euo pipefail
cd "$(dirname "$0")/.."
modules=(SparseRLNumerics SparseRLNetworks SparseRLSparsity SparseRLEnvironments SparseRLAgents SparseRLExperiments)
swift build -c release "$@"
bin=$(swift build -c release --show-bin-path "$@")
triple=$(swift -print-target-info | python3 -c 'import json, sys; print(json.load(sys.stdin)["target"]["triple"])')
output=.build/documentation
rm -rf "$output"
for module in "${modules[@]}"; do
  graphs="$output/symbol-graphs/$module"
  mkdir -p "$graphs"
  # Modules of C targets (Yams' CYaml, ...) are found through their module maps: their own, or SwiftPM's.
  maps=()
  for map in Sources/*/include/module.modulemap .build/checkouts/*/Sources/*/include/module.modulemap \
    "$bin"/*.build/module.modulemap; do
    [ -f "$map" ] && maps+=(-Xcc "-fmodule-map-file=$map")
  done
  swift symbolgraph-extract -module-name "$module" -target "$triple" -I "$bin/Modules" "${maps[@]}" \
    -minimum-access-level public -output-dir "$graphs"
  docc convert "Sources/$module/Documentation.docc" --additional-symbol-graph-dir "$graphs" \
    --fallback-display-name "$module" --fallback-bundle-identifier "sparserl.$module" \
    --output-path "$output/$module.doccarchive" --warnings-as-errors
done

# Every public symbol has a doc comment of its own or one it inherits from the protocol requirement it implements
# (symbols the compiler synthesises, such as hashValue, have no source location and are skipped).
python3 - "$output/symbol-graphs" <<'PY'
import glob, json, sys
missing = []
for path in sorted(glob.glob(sys.argv[1] + "/*/*.symbols.json")):
    for symbol in json.load(open(path))["symbols"]:
        location = symbol.get("location")
        if symbol.get("docComment") or not location:
            continue
        file = location["uri"].split("/Sources/")[-1]
        missing.append(f"Sources/{file}:{location['position']['line'] + 1}: {'.'.join(symbol['pathComponents'])}")
if missing:
    print(f"{len(missing)} public symbols have no documentation comment:", *sorted(set(missing)), sep="\n  ")
    sys.exit(1)
print("every public symbol is documented")
PY
echo "documentation in $output/<Module>.doccarchive"
