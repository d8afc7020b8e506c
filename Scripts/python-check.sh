#!/usr/bin/env bash
# The Python package's tests (python/tests) in a fresh virtual environment:
# numpy, scipy and pytest from the package index, then `pip install ./python`
# (which builds the release dylib mapk-c and bundles the Swift runtime), a
# check that the installed library resolves that runtime in its own package
# directory (ldd), then pytest, comparing with the
# `mapk` CLI of `swift build` (debug; MAPK_CLI overrides).
#
# Exits with pytest's status when the tests ran (1: a test failed); any other
# outcome, including pytest finding no test (5) or being interrupted (2),
# also fails, with a line saying which.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="$(mktemp -d "${TMPDIR:-/tmp}/mapk-python.XXXXXX")"
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check numpy scipy pytest
"$venv/bin/pip" install --quiet --disable-pip-version-check ./python

# The installed library must find the Swift runtime beside itself, not in the
# toolchain: every Swift library ldd resolves is in the package's directory.
lib="$("$venv/bin/python" -c 'import os, mapk._abi as a; print(a._library_path())')"
package="$(dirname "$lib")"
if ldd "$lib" | grep -E 'libswift|libFoundation|libdispatch|libBlocksRuntime' | grep -v -- "=> $package/"; then
  echo "python-check: $lib resolves the Swift runtime outside its package (above)" >&2
  exit 1
fi

export MAPK_CLI="${MAPK_CLI:-$(swift build --show-bin-path)/mapk}"
[ -x "$MAPK_CLI" ] || swift build --product mapk
set +e
# From python/ so that pytest reads its configuration there; `mapk` is the
# installed package (python/src is not on the path).
(cd python && "$venv/bin/python" -m pytest -q -rs tests)
status=$?
set -e
case $status in
  0) ;;
  1) echo "python-check: tests failed" >&2 ;;
  5) echo "python-check: pytest collected no tests" >&2 ;;
  *) echo "python-check: pytest stopped with status $status (interrupted, internal error or usage)" >&2 ;;
esac
exit $status
