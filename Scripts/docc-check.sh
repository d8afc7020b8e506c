#!/usr/bin/env bash
# Builds the DocC catalogs of the two libraries (Sources/Kernel/MAPKKernel.docc,
# Sources/Shards/MAPKShards.docc) from the compiler's symbol graphs with the
# toolchain's `docc convert`, warnings as errors: a broken symbol link or an
# undocumented parameter fails it. No package plugin is needed (the project
# has no dependencies).
#
# Usage: Scripts/docc-check.sh [OUTPUT_DIR]   (default: a temporary folder, removed)
# Cost: about 50 s on 2 cores (one debug build of MAPKShards with symbol
# graphs in its own scratch folder, .build-docc), then 2 s per catalog.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-}
if [ -z "$out" ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
graphs="$out/symbol-graphs"
mkdir -p "$graphs"
swift build --scratch-path .build-docc --target MAPKShards \
  -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$graphs" >/dev/null

status=0
for entry in MAPKKernel:Sources/Kernel MAPKShards:Sources/Shards; do
  module=${entry%%:*}
  catalog="${entry#*:}/$module.docc"
  mkdir -p "$out/$module-graphs"
  # The module's own graph and its extensions of other modules' types.
  cp "$graphs/$module.symbols.json" "$out/$module-graphs/"
  for extension in "$graphs/$module@"*.symbols.json; do
    [ -e "$extension" ] && cp "$extension" "$out/$module-graphs/"
  done
  echo "== docc convert $catalog"
  if ! docc convert "$catalog" --additional-symbol-graph-dir "$out/$module-graphs" \
      --output-dir "$out/$module.doccarchive" --warnings-as-errors; then
    status=1
  fi
done
exit $status
