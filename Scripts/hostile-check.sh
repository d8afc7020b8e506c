#!/usr/bin/env bash
# Runs the reproductions of issue 10 (hostile and odd inputs) against a
# release build and checks that each ends as promised: exit status 1 (or 2
# for a usage error) with one `mapk: error:` line containing the expected
# words, or exit 0 with the right result. Builds its inputs in a temp dir.
#
#   Scripts/hostile-check.sh [path/to/mapk]   (default: swift build -c release)
#
# Prints one line per case and a summary; exits 1 if any case fails.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then
  mapk="$(realpath "$1")"
else
  swift build -c release --product mapk >/dev/null || exit 1
  mapk="$(swift build -c release --show-bin-path)/mapk"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
failed=0
passed=0

# expect_error STATUS "words" -- command...: one error line holding every word.
expect_error() {
  local status="$1" words="$2"
  shift 3
  local err out code
  out="$(timeout 120 "$@" 2>err.txt)"
  code=$?
  err="$(cat err.txt)"
  local ok=1
  [ "$code" = "$status" ] || ok=0
  [ "$(grep -c '' err.txt)" = 1 ] || ok=0
  case "$err" in "mapk: error: "*) ;; *) ok=0 ;; esac
  local w
  IFS='|' read -ra parts <<< "$words"
  for w in "${parts[@]}"; do case "$err" in *"$w"*) ;; *) ok=0 ;; esac; done
  report "$ok" "$* -> $code: $err"
}

# expect_output "text" -- command...: exit 0, stdout holding the text.
expect_output() {
  local text="$1"
  shift 2
  local out code
  out="$(timeout 120 "$@" 2>err.txt)"
  code=$?
  local ok=1
  [ "$code" = 0 ] || ok=0
  case "$out" in *"$text"*) ;; *) ok=0 ;; esac
  report "$ok" "$* -> $code: $(head -c 200 err.txt)"
}

report() {
  if [ "$1" = 1 ]; then passed=$((passed + 1)); echo "ok    ${2:0:160}"
  else failed=$((failed + 1)); echo "FAIL  ${2:0:400}"; fi
}

no_temporaries() {
  if ls -a | grep -q '\.tmp$'; then report 0 "$1: temporaries left: $(ls -a | grep '\.tmp$' | head -3)"
  else report 1 "$1: no temporaries left"; fi
}

# Setup (the issue's): base.pred.npy, base.labels.npy, l.txt, s0.json, s1.json.
"$mapk" generate --rows 20 --classes 6 --labels-per-row 2 --out base --no-progress >/dev/null
"$mapk" generate --rows 20 --classes 6 --labels-per-row 2 --out base --labels-format text --no-progress >/dev/null
mv base.labels.txt l.txt
"$mapk" generate --rows 20 --classes 6 --labels-per-row 2 --out base --no-progress >/dev/null
E=(eval --predictions base.pred.npy --labels base.labels.npy --no-progress)
for i in 0 1; do "$mapk" "${E[@]}" -k 1,3 --shard $i/2 --state s$i.json >/dev/null; done

echo "== crashes: user-controlled numbers"
for n in 288230376151711744 2305843009213693952 9223372036854775807; do
  expect_error 2 "--threads|4096" -- "$mapk" "${E[@]}" -k 1 --threads $n
  expect_error 2 "--threads|4096" -- "$mapk" eval --predictions base.pred.npy --labels l.txt -k 1 --threads $n
  expect_error 2 "--threads|4096" -- "$mapk" inspect base.pred.npy --threads $n
done
forge() {  # forge NAME SED-EXPRESSION [FROM]
  sed -E "$2" "${3:-s0.json}" > "$1"
}
forge bignan.json '0,/"nan" : 0/s//"nan" : 9223372036854775807/'
expect_error 1 "bignan.json" -- "$mapk" merge bignan.json s1.json
forge bignanscores.json 's/"nan_scores" : 0/"nan_scores" : 9223372036854775807/'
expect_error 1 "bignanscores.json" -- "$mapk" merge bignanscores.json s1.json
forge bigsize.json 's/"size" : [0-9]+/"size" : 2305843009213693952/'
expect_error 1 "bigsize.json|size" -- "$mapk" merge bigsize.json s1.json

echo "== allocation proportional to a declared size"
python3 - <<'PY'
import struct
def npy(name, descr, shape):
    h = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (descr, ", ".join(map(str, shape)) + ("," if len(shape) == 1 else ""))
    h = h + " " * ((64 - (10 + len(h) + 1) % 64) % 64) + "\n"
    with open(name, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode())
        f.truncate(f.tell() + 2 * shape[0] * shape[1])
npy("wide.npy", "<f2", (1, 2147483647))
open("wide.txt", "w").write("0\n")
PY
expect_output "MAP@1 = 1.0" -- "$mapk" eval --predictions wide.npy --labels wide.txt -k 1 --no-progress
many="$(printf '1-999999,%.0s' $(seq 1000))1"
expect_error 1 "k = 999999 exceeds|(6)" -- "$mapk" "${E[@]}" -k "$many"
expect_error 1 "bytes" -- "$mapk" generate --rows 10 --classes 2147483647 --labels-per-row 1 --out g1 --no-progress
no_temporaries "generate --classes 2147483647"
expect_error 2 "labels-per-row" -- "$mapk" generate --rows 2 --classes 1000000000 --labels-per-row 1000000000 --out g2 --no-progress
no_temporaries "generate --labels-per-row 1000000000"

echo "== hangs and memory: state files"
python3 - <<'PY'
import re
s = open("s0.json").read()
ks = ",".join(str(k) for k in range(1, 10_000_001))
open("tenmillion.json", "w").write(re.sub(r'"ks" : \[[^\]]*\]', '"ks" : [' + ks + ']', s, count=1))
open("deep.json", "w").write(s.replace('"classes" : 6', '"classes" : ' + "[" * 100000 + "]" * 100000))
open("dup.json", "w").write(s.replace('"classes" : 6', '"classes" : 6, "classes" : 7'))
open("huge.json", "w").write(s.replace('"classes" : 6', '"classes" : 1' + "0" * 400))
PY
expect_error 1 "tenmillion.json|1000000" -- timeout 10 "$mapk" merge tenmillion.json s1.json
expect_error 1 "deep.json|nested" -- "$mapk" merge deep.json s1.json
expect_error 1 "dup.json|duplicate" -- "$mapk" merge dup.json s1.json
expect_error 1 "huge.json" -- "$mapk" merge huge.json s1.json

echo "== text labels past the rows"
python3 -c "open('long.txt','w').write('1\n' * (128 << 20))"
expect_error 1 "long.txt|line 21" -- "$mapk" "${E[@]/base.labels.npy/long.txt}" -k 1

echo "== two outputs at one path, outputs that are not regular files"
expect_error 2 "--per-row|--state" -- "$mapk" "${E[@]}" -k 1 --per-row X.npy --state X.npy
expect_error 2 "--plot|--state" -- "$mapk" "${E[@]}" -k 1 --plot Y.svg --state Y.svg
expect_error 2 "a.npy" -- "$mapk" "${E[@]}" -k 1 --per-row a.npy --plot ./a.npy
expect_error 2 "--per-row|--state" -- "$mapk" "${E[@]}" -k 1 --per-row a.npy --state ./a.npy
mkfifo f.npy
expect_error 1 "f.npy|not a regular file" -- "$mapk" "${E[@]}" -k 1 --per-row f.npy
[ -p f.npy ] && report 1 "the FIFO stays a FIFO" || report 0 "the FIFO was replaced"

echo "== write errors on stdout"
for cmd in "${E[*]} -k 1 --json" "merge s0.json s1.json" "inspect base.pred.npy"; do
  expect_error 1 "standard output" -- sh -c "\"$mapk\" $cmd > /dev/full"
done

echo "== forged states"
forge nanscores.json 's/"nan_scores" : 0/"nan_scores" : 7/'
expect_error 1 "nanscores.json|nan_scores" -- "$mapk" merge nanscores.json s1.json
forge seconds.json 's/"seconds" : [^,]*/"seconds" : 1e300/'
expect_error 1 "seconds.json|run.seconds" -- "$mapk" merge seconds.json s1.json

echo "== repeated options, extensions"
expect_error 2 "--predictions" -- "$mapk" eval --predictions base.pred.npy --predictions base.pred.npy --labels base.labels.npy -k 1
expect_error 2 "-k" -- "$mapk" "${E[@]}" -k 10 -k 5
expect_error 2 "out.png" -- "$mapk" "${E[@]}" -k 1 --plot out.png
expect_error 2 "ap.csv" -- "$mapk" "${E[@]}" -k 1 --per-row ap.csv

echo "== file names that are not UTF-8"
P="$(printf 'p\351.npy')"
cp base.pred.npy "$P"
expect_output "MAP@1" -- "$mapk" eval --predictions "$P" --labels base.labels.npy -k 1 --no-progress
expect_output '"per_row": "ap\u00e9.npy"' -- "$mapk" eval --predictions "$P" --labels base.labels.npy -k 1 --json \
  --no-progress --per-row "$(printf 'ap\351.npy')"
[ -f "$(printf 'ap\351.npy')" ] && report 1 "per-row written at its bytes" || report 0 "per-row not at its bytes"

echo "== SIGINT and SIGBUS leave no temporaries"
"$mapk" generate --rows 20000 --classes 2000 --labels-per-row 3 --out big --no-progress >/dev/null
"$mapk" eval --predictions big.pred.npy --labels big.labels.npy -k 1-2000 --per-row ap.npy --no-progress \
  --threads 1 >/dev/null 2>&1 &
pid=$!
sleep 0.3
kill -INT $pid 2>/dev/null
wait $pid
no_temporaries "SIGINT mid-run"

echo "== empty paths, messages"
expect_error 2 "--per-row" -- "$mapk" "${E[@]}" -k 1 --per-row ''
"$mapk" >out.txt 2>err.txt
code=$?
[ "$code" = 2 ] && [ ! -s out.txt ] && grep -q "^USAGE: mapk" err.txt && report 1 "mapk alone: usage on stderr, exit 2" \
  || report 0 "mapk alone -> $code"
expect_error 2 "eval" -- "$mapk" evaluate

echo "== labels >= C in merge"
printf '1 7\n2\n3 9\n0\n1\n2\n3\n4\n5\n0\n1\n2\n3\n4\n5\n0\n1\n2\n3\n4\n' > above.txt
for i in 0 1; do
  "$mapk" eval --predictions base.pred.npy --labels above.txt -k 1 --shard $i/2 --state a$i.json --no-progress \
    >/dev/null 2>&1
done
"$mapk" merge a0.json a1.json >/dev/null 2>warn.txt
grep -q "2 labels are >= 6" warn.txt && report 1 "merge warns about labels >= C" \
  || report 0 "merge warns about labels >= C: $(cat warn.txt)"

echo "== $passed passed, $failed failed"
[ "$failed" = 0 ]
