#!/usr/bin/env bash
# tests/c/run.sh <bindir> — runs gemmlab's C ABI tests (Makefile: test-c-abi).
#
# <bindir> holds test_cblas, default_xerbla and cblas_example, built from
# tests/c/*.c and examples/cblas_example.c against libgemmlab.so. RUN_PREFIX,
# if set, is put before every program (e.g. a qemu command for a cross build).
#
# Runs test_cblas (its own "N passed, N failed" line is printed), then the
# checks that need a fresh process: the default xerbla_, GEMMLAB_KERNEL
# (unknown, naive, blocked) and GEMMLAB_VERBOSE. Each is counted; the last
# line is "c-abi: N passed, N failed"; the exit status is nonzero on any
# failure.
set -u

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
  echo "usage: bash tests/c/run.sh <bindir>" >&2
  exit 2
fi
bindir=$1
prefix=${RUN_PREFIX:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gemmlab-c-abi.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() {
  echo "FAIL: $*"
  failed=$((failed + 1))
}

# run <name> <program> [VAR=value ...]: runs the program in a fresh process
# with the given environment (GEMMLAB_* unset unless given), stdout to
# $tmp/<name>.out, stderr to $tmp/<name>.err, exit status to $tmp/<name>.rc.
run() {
  local name=$1 prog=$2
  shift 2
  # $prefix is split into words on purpose (a command and its options).
  # shellcheck disable=SC2086
  env -u GEMMLAB_KERNEL -u GEMMLAB_VERBOSE "$@" $prefix "$bindir/$prog" >"$tmp/$name.out" 2>"$tmp/$name.err"
  echo $? >"$tmp/$name.rc"
}
rc() { cat "$tmp/$1.rc"; }
show_err() { sed 's/^/    stderr: /' "$tmp/$1.err" | head -n 10; }

# test_cblas's verdict: exit 0 and a last line "N passed, 0 failed" with N > 0.
test_cblas_passed() {
  local name=$1 last
  last=$(tail -n 1 "$tmp/$name.out")
  [ "$(rc "$name")" = 0 ] && [[ $last =~ ^[1-9][0-9]*\ passed,\ 0\ failed$ ]]
}

# 1. test_cblas, default environment.
run default test_cblas
cat "$tmp/default.out"
if test_cblas_passed default; then pass; else fail "test_cblas (exit $(rc default))"; fi
# Its own xerbla_ overrides the library's: the library's message never appears.
if grep -q 'On entry to' "$tmp/default.err"; then
  fail "test_cblas: the library's xerbla_ ran instead of the test's own"
  show_err default
else
  pass
fi

# 2. default_xerbla: the library's own xerbla_ reports, the program goes on.
run xerbla default_xerbla
if [ "$(rc xerbla)" = 0 ] && [ "$(cat "$tmp/xerbla.out")" = 19 ]; then
  pass
else
  fail "default_xerbla: exit $(rc xerbla), stdout '$(cat "$tmp/xerbla.out")' (expected exit 0 and 19)"
fi
if grep -qxF '** On entry to SGEMM  parameter number 8 had an illegal value' "$tmp/xerbla.err"; then
  pass
else
  fail "default_xerbla: no '** On entry to SGEMM  parameter number 8 had an illegal value' on stderr"
  show_err xerbla
fi
if grep -qxF '** On entry to cblas_sgemm parameter number 14 had an illegal value' "$tmp/xerbla.err"; then
  pass
else
  fail "default_xerbla: no '** On entry to cblas_sgemm parameter number 14 had an illegal value' on stderr"
  show_err xerbla
fi
n=$(wc -l <"$tmp/xerbla.err")
if [ "$n" -eq 2 ]; then pass; else fail "default_xerbla: $n lines on stderr, expected exactly 2" && show_err xerbla; fi

# 3. GEMMLAB_KERNEL=bogus: one line naming the variable and the valid names,
#    and the default kernel runs (every result still right).
run bogus test_cblas GEMMLAB_KERNEL=bogus
if test_cblas_passed bogus; then
  pass
else
  fail "test_cblas under GEMMLAB_KERNEL=bogus (exit $(rc bogus)): $(tail -n 1 "$tmp/bogus.out")"
  grep '^FAIL' "$tmp/bogus.out" | head -n 5
fi
n=$(grep -c 'GEMMLAB_KERNEL' "$tmp/bogus.err")
if [ "$n" -eq 1 ] && grep 'GEMMLAB_KERNEL' "$tmp/bogus.err" | grep -q 'bogus' &&
  grep 'GEMMLAB_KERNEL' "$tmp/bogus.err" | grep -q 'naive' &&
  grep 'GEMMLAB_KERNEL' "$tmp/bogus.err" | grep -q 'blocked'; then
  pass
else
  fail "GEMMLAB_KERNEL=bogus: expected exactly one stderr line mentioning GEMMLAB_KERNEL, 'bogus' and the valid names (naive, blocked); got $n"
  show_err bogus
fi
n=$(wc -l <"$tmp/bogus.err")
if [ "$n" -eq 1 ]; then pass; else fail "GEMMLAB_KERNEL=bogus: $n lines on stderr, expected 1" && show_err bogus; fi
# The example, too: its output is the same as without the variable.
run example_plain cblas_example
run example_bogus cblas_example GEMMLAB_KERNEL=bogus
if [ "$(rc example_bogus)" = 0 ] && cmp -s "$tmp/example_plain.out" "$tmp/example_bogus.out" &&
  [ "$(grep -c GEMMLAB_KERNEL "$tmp/example_bogus.err")" -eq 1 ]; then
  pass
else
  fail "cblas_example under GEMMLAB_KERNEL=bogus: exit $(rc example_bogus), output differs or not one GEMMLAB_KERNEL line"
  show_err example_bogus
fi

# 4. GEMMLAB_KERNEL=naive and =blocked: test_cblas passes, nothing on
#    stderr, and (GEMMLAB_VERBOSE) that kernel is the one that runs.
for k in naive blocked; do
  run "kernel_$k" test_cblas GEMMLAB_KERNEL=$k
  if test_cblas_passed "kernel_$k" && [ ! -s "$tmp/kernel_$k.err" ]; then
    pass
  else
    fail "test_cblas under GEMMLAB_KERNEL=$k (exit $(rc "kernel_$k")): $(tail -n 1 "$tmp/kernel_$k.out")"
    grep '^FAIL' "$tmp/kernel_$k.out" | head -n 5
    show_err "kernel_$k"
  fi
  run "verbose_$k" cblas_example GEMMLAB_KERNEL=$k GEMMLAB_VERBOSE=1
  total=$(grep -c '^gemmlab: ' "$tmp/verbose_$k.err")
  with_k=$(grep '^gemmlab: ' "$tmp/verbose_$k.err" | grep -Ec " kernel=$k([/ ]|\$)")
  if [ "$(rc "verbose_$k")" = 0 ] && [ "$total" -eq 2 ] && [ "$with_k" -eq 2 ]; then
    pass
  else
    fail "GEMMLAB_KERNEL=$k GEMMLAB_VERBOSE=1: expected 2 'gemmlab: ' lines with kernel=$k/, got $with_k of $total"
    show_err "verbose_$k"
  fi
done

# 5. GEMMLAB_VERBOSE=1: exactly one 'gemmlab: ' line per call the example
#    makes -- two, cblas_sgemm then sgemm_ -- each naming its entry point
#    and the kernel; without the variable, none.
expected_calls=2
expected_out=$(
  cat <<'EOF'
cblas_sgemm, row-major: C = A * B
58 64
139 154
sgemm_, column-major: D = 2 * A * E + I
9 10
20 23
EOF
)
got_out=$(sed -e 's/^ *//' -e 's/  */ /g' "$tmp/example_plain.out")
if [ "$(rc example_plain)" = 0 ] && [ "$got_out" = "$expected_out" ]; then
  pass
else
  fail "cblas_example: exit $(rc example_plain), output:"
  sed 's/^/    /' "$tmp/example_plain.out"
fi
if ! grep -q '^gemmlab: ' "$tmp/example_plain.err" && [ ! -s "$tmp/example_plain.err" ]; then
  pass
else
  fail "cblas_example without GEMMLAB_VERBOSE wrote to stderr"
  show_err example_plain
fi
run verbose cblas_example GEMMLAB_VERBOSE=1
n=$(grep -c '^gemmlab: ' "$tmp/verbose.err")
first=$(grep '^gemmlab: ' "$tmp/verbose.err" | sed -n 1p)
second=$(grep '^gemmlab: ' "$tmp/verbose.err" | sed -n 2p)
if [ "$(rc verbose)" = 0 ] && [ "$n" -eq "$expected_calls" ] &&
  [[ $first == 'gemmlab: cblas_sgemm '*' kernel='* ]] && [[ $second == 'gemmlab: sgemm_ '*' kernel='* ]]; then
  pass
else
  fail "GEMMLAB_VERBOSE=1: expected $expected_calls 'gemmlab: ' lines (cblas_sgemm, then sgemm_, each with kernel=), got $n"
  show_err verbose
fi
if cmp -s "$tmp/example_plain.out" "$tmp/verbose.out" && [ "$(wc -l <"$tmp/verbose.err")" -eq "$expected_calls" ]; then
  pass
else
  fail "GEMMLAB_VERBOSE=1: stdout changed, or stderr has lines other than the $expected_calls call lines"
  show_err verbose
fi

echo "c-abi: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
