#!/usr/bin/env bash
# The >4 GiB test over the whole file: a sparse 4 GiB + 1 KiB predictions
# file (holes read as zeros: no disk used, but the run pulls 4 GiB of zero
# pages through the page cache) evaluated row by row, checked against the
# plain reference. Every CI run does the cheap half (the last shard only,
# past the 4 GiB mark: ShardLargeFileTests.testLastShardOfAFileOver4GiB);
# this script adds the full pass.
#
# Usage: Scripts/large-file-test.sh [-c release]   (default: debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
MAPK_LARGE_FILE_FULL=1 swift test "$@" --filter ShardLargeFileTests
