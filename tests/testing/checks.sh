#!/bin/bash
# Check helpers for the command-line tests. A test sources this file, runs
# its commands, and ends with `finish`. Each helper prints "ok   NAME" or
# "FAIL NAME" with what differed, and counts failures in $failures.

failures=0

# Records check $1 as passed.
pass() {
  echo "ok   $1"
}

# Records check $1 as failed, printing the message $2 and, when given, the
# text $3 that the check looked at.
fail() {
  echo "FAIL $1: $2"
  if [[ $# -ge 3 ]]; then
    echo "$3"
  fi
  failures=$((failures + 1))
}

# Passes when a command's exit status ($3) equals the expected one ($2).
check() {
  local name="$1" expected_status="$2" actual_status="$3"
  if [[ "$expected_status" == "$actual_status" ]]; then
    pass "$name"
  else
    fail "$name" "exit status $actual_status, expected $expected_status"
  fi
}

# Passes when the Python expression $2 is true of the JSON document $3,
# which it reads as `doc`.
json_check() {
  local name="$1" expression="$2" document="$3"
  if python3 -c "import json,sys; doc=json.load(sys.stdin); sys.exit(0 if ($expression) else 1)" <<<"$document"; then
    pass "$name"
  else
    fail "$name" "$expression is false for:" "$document"
  fi
}

# Passes when the text $3 contains $2.
contains() {
  local name="$1" needle="$2" haystack="$3"
  if [[ "$haystack" == *"$needle"* ]]; then
    pass "$name"
  else
    fail "$name" "output lacks '$needle':" "$haystack"
  fi
}

# Copies the JIT policy $1 to $2 with the first recorded port of its first
# request changed by the Python statement $3, which sees that port as
# `port` and the whole document as `doc`.
recorded_port_variant() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
port = doc["properties"]["requests"][0]["virtualMachines"][0]["ports"][0]
exec(sys.argv[3])
json.dump(doc, open(sys.argv[2], "w"))
PY
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
