#!/bin/bash
# Replays a fuzzer's seed corpus through the fuzzer binary built without
# libFuzzer. Arguments: the binary, then the corpus files.
set -euo pipefail
binary="$1"
shift
if [[ $# -eq 0 ]]; then
  echo "no corpus files given" >&2
  exit 1
fi
exec "$binary" "$@"
