#!/bin/bash
# Runs the library example on two scenes and checks its verdicts, so the
# program the README points to keeps building and working.
set -uo pipefail

program="$1"
scenes="$2"
failures=0

expect_verdict() {
  local expected="$1"
  shift
  local first
  first=$("$program" "$@" | head -1)
  if [[ "$first" == "$expected" ]]; then
    echo "ok   $* -> $expected"
  else
    echo "FAIL $*: first line \"$first\", expected \"$expected\""
    failures=$((failures + 1))
  fi
}

expect_verdict allow "$scenes/01-admin-through-bastion.json"
expect_verdict deny "$scenes/02-unmanaged-device.json"
# The same attempt once the JIT grant has ended.
expect_verdict deny "$scenes/01-admin-through-bastion.json" 2026-03-02T10:00:00Z

if [[ $failures -gt 0 ]]; then
  echo "$failures failed"
  exit 1
fi
