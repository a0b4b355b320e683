#!/bin/bash
# Check helpers for the command-line tests. A test sources this file, runs
# its commands, and ends with `finish`. Each helper prints "ok   NAME" or
# "FAIL NAME" with what differed, and counts failures in $failures.

failures=0

# Passes when a command's exit status ($3) equals the expected one ($2).
check() {
  local name="$1" expected_status="$2" actual_status="$3"
  if [[ "$expected_status" != "$actual_status" ]]; then
    echo "FAIL $name: exit status $actual_status, expected $expected_status"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

# Passes when the Python expression $2 is true of the JSON document $3,
# which it reads as `doc`.
json_check() {
  local name="$1" expression="$2" document="$3"
  if ! python3 -c "import json,sys; doc=json.load(sys.stdin); sys.exit(0 if ($expression) else 1)" <<<"$document"; then
    echo "FAIL $name: $expression is false for:"
    echo "$document"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

# Passes when the text $3 contains $2.
contains() {
  local name="$1" needle="$2" haystack="$3"
  if [[ "$haystack" != *"$needle"* ]]; then
    echo "FAIL $name: output lacks '$needle':"
    echo "$haystack"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

# Exits 1 after printing the number of failed checks, or 0.
finish() {
  if [[ $failures -gt 0 ]]; then
    echo "$failures checks failed"
    exit 1
  fi
  echo "all checks passed"
  exit 0
}
