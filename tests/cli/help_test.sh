#!/bin/bash
# Checks that each command and subcommand of `portcullis` prints its usage
# to standard output and exits 0 for --help and -h, and that an unknown
# command still exits 2 with the usage on standard error.
set -uo pipefail

portcullis="$1"
failures=0

expect_help() {
  local out err status
  out=$(mktemp) err=$(mktemp)
  "$portcullis" "$@" >"$out" 2>"$err"
  status=$?
  if [[ $status -ne 0 ]]; then
    echo "FAIL portcullis $*: exit status $status, expected 0"
    failures=$((failures + 1))
  elif ! grep -q "usage" "$out"; then
    echo "FAIL portcullis $*: no usage on standard output"
    failures=$((failures + 1))
  elif [[ -s "$err" ]]; then
    echo "FAIL portcullis $*: unexpected standard error: $(head -c 200 "$err")"
    failures=$((failures + 1))
  else
    echo "ok   portcullis $*"
  fi
  rm -f "$out" "$err"
}

for flag in --help -h; do
  expect_help "$flag"
  for group in jit nsg demo classbench rbac access decide pim; do
    expect_help "$group" "$flag"
  done
  expect_help jit request "$flag"
  expect_help jit status "$flag"
  expect_help nsg verify "$flag"
  expect_help nsg validate "$flag"
  expect_help nsg effective "$flag"
  expect_help access what-if "$flag"
  expect_help pim activate "$flag"
  expect_help pim windows "$flag"
  expect_help rbac check "$flag"
  expect_help rbac validate "$flag"
done

# A subcommand's help lists its flags.
expect_flag() {
  local flag="$1"
  shift
  if "$portcullis" "$@" --help 2>/dev/null | grep -q -- "$flag"; then
    echo "ok   portcullis $* --help lists $flag"
  else
    echo "FAIL portcullis $* --help does not list $flag"
    failures=$((failures + 1))
  fi
}
expect_flag --over-maximum pim activate
expect_flag --auth-context pim activate
expect_flag --justification jit request
expect_flag --now access what-if
expect_flag --deny-assignments rbac check
expect_flag --trace nsg verify
expect_flag --rules classbench

"$portcullis" no-such-command >/dev/null 2>"$TEST_TMPDIR/unknown.err"
status=$?
if [[ $status -ne 2 ]] || ! grep -q "usage" "$TEST_TMPDIR/unknown.err"; then
  echo "FAIL unknown command: exit status $status, expected 2 with usage on standard error"
  failures=$((failures + 1))
else
  echo "ok   unknown command"
fi

"$portcullis" >/dev/null 2>&1
status=$?
if [[ $status -ne 2 ]]; then
  echo "FAIL no command: exit status $status, expected 2"
  failures=$((failures + 1))
else
  echo "ok   no command"
fi

if [[ $failures -gt 0 ]]; then
  echo "$failures failed"
  exit 1
fi
