#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ and runs each for a while.
#
#   Scripts/fuzz.sh [seconds per target, default 20] [target...]
#
# Each Fuzz/<Name>Fuzz.swift is compiled with every Kernel and Shards source
# into one module (no imports needed) with -sanitize=fuzzer,address, then run
# on a copy of its seeds (Fuzz/corpus/<target>/; the seeds stay untouched).
# A crash, a sanitizer report or a timeout fails the script and leaves the
# input in .build/fuzz/crashes/. Prints the executions per target.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-20}"
shift || true
out=.build/fuzz
mkdir -p "$out/crashes"

# target name -> source file
declare -A targets=(
  [npy_header]=Fuzz/NPYHeaderFuzz.swift
  [text_labels]=Fuzz/TextLabelsFuzz.swift
  [npz]=Fuzz/NPZFuzz.swift
  [state_file]=Fuzz/StateFileFuzz.swift
  [command_line]=Fuzz/CommandLineFuzz.swift
  [ivecs]=Fuzz/IVecsFuzz.swift
  [safetensors]=Fuzz/SafetensorsFuzz.swift
  [npz_arrays]=Fuzz/NPZArraysFuzz.swift
  [score_stream]=Fuzz/ScoreStreamFuzz.swift
)
selected=("$@")
[ ${#selected[@]} -eq 0 ] && selected=($(printf '%s\n' "${!targets[@]}" | sort))

# The library sources, minus the file that imports the kernel as a module.
mapfile -t sources < <(find Sources/Kernel Sources/Shards -name '*.swift' ! -name Exports.swift | sort)
# The command-line parser (Tooling) for the command_line target only: the rest of Tooling needs no fuzzing.
parser=(Sources/Tooling/Arguments.swift Sources/Tooling/Option.swift Sources/Tooling/OptionTable.swift)
# System-library targets (a module map, e.g. zlib's) are found by -I; their libraries linked.
cflags=()
for map in $(find Sources -name module.modulemap); do cflags+=(-I "$(dirname "$map")"); done
grep -rqs 'link "z"' Sources --include=module.modulemap && cflags+=(-lz)

status=0
for name in "${selected[@]}"; do
  src="${targets[$name]:-}"
  [ -n "$src" ] || { echo "fuzz.sh: unknown target $name (known: ${!targets[*]})" >&2; exit 2; }
  bin="$out/$name"
  extra=()
  [ "$name" = command_line ] && extra=("${parser[@]}")
  echo "== building $name"
  # (gold warns about every ASan helper symbol; the log keeps them out of sight unless the build fails)
  if ! swiftc -O -g -parse-as-library -sanitize=fuzzer,address -module-name "Fuzz_$name" -package-name mapk \
       "${cflags[@]}" "${sources[@]}" "${extra[@]}" Fuzz/FuzzSupport.swift "$src" -o "$bin" > "$out/$name.build.log" 2>&1; then
    grep -v 'Cannot export local symbol' "$out/$name.build.log" >&2
    exit 1
  fi
  work="$out/corpus-$name"
  mkdir -p "$work"
  echo "== running $name for ${seconds}s"
  # Swift's own crash backtracer would read memory ASan does not expect; libFuzzer reports instead.
  if SWIFT_BACKTRACE=enable=no "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$out/crashes/$name-" "$work" "Fuzz/corpus/$name" > "$out/$name.log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$name.log" | grep -o '[0-9]*$' || echo '?')
    echo "fuzz $name: $runs executions in ${seconds}s, no crash"
  else
    status=1
    echo "fuzz $name: FAILED (log: $out/$name.log)" >&2
    grep -E 'ERROR|==[0-9]+==|Fatal error|artifact' "$out/$name.log" | head -20 >&2 || true
  fi
done
exit $status
