#!/usr/bin/env bash
# tests/check_docs.sh BUILD — fails when README.md or docs/*.md mention what
# does not exist, or show output that the commands no longer print.
#
# `make check-docs` runs it after building BUILD/gemmlab and BUILD/libgemmlab.a
# (BUILD is the build folder, `build` by default). What it checks, and why:
#
#  1. Links and paths. Every relative markdown link ([x](../src/gemm/goto.cpp),
#     [x](05-packing.md#anchor), images) points at a file or folder that
#     exists, and an #anchor matches a heading of the target page under
#     GitHub's rule (lowercase; every character but letters, digits, spaces,
#     '-' and '_' removed; spaces become '-'; a repeated heading gets -1, -2).
#     Every repository path written out in the text, in a code span or in a
#     code block (src/..., include/..., tests/..., bench/..., docs/...,
#     .ci/..., examples/...) exists. Paths in a build folder (build/,
#     build-gcc/ ...) do not exist in a clean clone; those that name what the
#     Makefile builds are checked against it instead (its products, objects
#     build/obj/X.o of a source X.cpp, build/experiments/N of
#     bench/experiments/N.cpp, build/c/N of tests/c/N.c or examples/N.c).
#     Other folders under build/ are written by the programs (the bench's
#     CSV files, the scripts' text files) and are not checked.
#  2. Make targets. Every `make X` in a code span or a code block names a
#     target of the Makefile (read from `make -p`, not from a list here);
#     options and VAR=value words are skipped.
#  3. Kernel names. A code span that looks like a kernel name (naive,
#     loop-order, tiled, register-tile, packed, blocked, simd, simd-*,
#     bf16-*), and every such word after KERNELS=, --kernels, --kernel or
#     GEMMLAB_KERNEL=, is a kernel that `BUILD/gemmlab kernels` lists; and
#     every kernel it lists is named in a code span of README.md or
#     docs/index.md, so a new kernel cannot go unmentioned where a reader
#     starts.
#  4. Output blocks. A code block preceded by the comment (on the line
#     before it, or before the blank line before it; indented like the block
#     in a list item)
#         <!-- check-docs: output -->
#     is a transcript: each line starting with "$ " is a command, and the
#     lines after it, up to the next "$ " line, are what it prints (stdout
#     and stderr together). The script runs each command with bash from the
#     top of the checkout, with build/ replaced by BUILD/ in the command and
#     BUILD/ replaced by build/ in its output, without any GEMMLAB_*
#     variable the caller may have set, and diffs (a page's `make run` runs
#     a make in BUILD inside this one). Options, after ';':
#         ignore=ERE      lines matching the extended regex are left out of
#                         both sides: lines that legitimately differ between
#                         machines (which kernels a CPU runs, which copy of a
#                         kernel it picks); the rest must match exactly;
#         features=LIST   the block is only checked where `gemmlab kernels`
#                         prints exactly this "features:" line, and
#         not-compiled=LIST   where the kernels it says are "not compiled
#                         into this binary" are exactly these (in its order):
#                         a block that is all machine-dependent, e.g. the
#                         fallbacks on one CPU, depends on the CPU and on
#                         which ISA files the build has (SIMD=none has none).
#                         Elsewhere the block is counted as skipped.
#     (An ERE cannot contain ';'.) Timings must never be in such a block.
#  5. Images. Every image a page shows exists (rule 1), and every file in
#     docs/img is linked from some page: a picture nothing shows is stale.
#  6. Programs. A program a page writes with `cat > /tmp/NAME.cpp <<'EOF'`
#     and builds with the g++ line after it still compiles and links against
#     this build (the line up to its first "&&", /tmp/ moved to a temporary
#     folder, build/ to BUILD/). It is not run: these programs time things.
#     One that defines GEMMLAB_HAVE_AVX512 is skipped where the AVX-512 files
#     are not compiled in (gemmlab kernels says so).
#  7. Names from the code. A code span that is a test name, Suite.Name or
#     Suite.*, names a TEST/TEST_P/TEST_F of tests/*.cpp. A code span that is
#     one identifier in the code's style for its own names (an underscore or
#     an inner capital: `goto_sgemm_serial`, `RnnForward::run`,
#     `first_lanes(n)`), possibly qualified with :: or called, occurs as a
#     word in the sources (src, include, tests, bench, examples, the
#     Makefile, .ci) or in a code block of the pages (a page's own program).
#     Names from elsewhere are not ours to check: intrinsics (_mm...) and
#     the few in OTHER_NAMES below. Plain words (`simd`, `require`) are too
#     common to tell apart from prose and are not checked.
#
# Every failure is printed as file:line: what is wrong; the exit status is 1
# if there was any (2 if the check itself could not run), and a one-line
# summary of what was checked otherwise.
#
# Reading markdown with awk: fenced blocks (``` or ~~~) and indented blocks
# (4 spaces or more after a blank line) are code; code spans are single
# backticks within one paragraph (they may cross a line break); everything
# else is prose. That is the subset of markdown these pages use.
# The awk and sed programs below are in single quotes: their $ are awk's.
# shellcheck disable=SC2016
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${1:-build}
BUILD=${BUILD%/}
BUILD=${BUILD#./}
CLI="$BUILD/gemmlab"
if [ ! -x "$CLI" ]; then
  echo "check_docs.sh: $CLI not found: build it first (make check-docs does)" >&2
  exit 2
fi

export LC_ALL=C.UTF-8  # sed's character classes and case mapping work on UTF-8 text
# The pages show what the programs do without any GEMMLAB_* setting (a
# command that needs one sets it): the caller's are dropped, for every command.
for v in "${!GEMMLAB_@}"; do unset "$v"; done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

PAGES=(README.md docs/*.md)
n_failures=0
fail() {  # fail FILE:LINE MESSAGE
  printf '%s: %s\n' "$1" "$2" >&2
  n_failures=$((n_failures + 1))
}

# Paths cited as sources that live in other repositories, not in this one.
EXTERNAL_PATHS=(
  docs/KernelsHowTo.md  # BLIS: the micro-kernel contract
  docs/Performance.md   # BLIS: its performance page
)
# Names of other software that the pages compare with (rule 7).
OTHER_NAMES=(
  BasicRNNCell SimpleRNNCell # TensorFlow 1 and Keras
  MKL_VERBOSE DNNL_VERBOSE   # MKL and oneDNN's call logs
)

# ---- reading the pages --------------------------------------------------------
# scan FILE...: one tab-separated record per thing found:
#   H file line text           a heading (the text after the #s)
#   S file line text           a code span in prose or in a heading
#   L file line target img     a link target; img is 1 for an image
#   P file line text           a line of prose, code spans and links removed
#   B file line id lang marker a code block starts (marker: the check-docs
#                              comment's options, "-" if there was none)
#   C file line id text        a line of a code block, its indentation removed
#   E file line message        a malformed check-docs comment
# (Tabs in the text become spaces.)
SCAN_AWK='
function out(kind, ln, rest) { printf "%s\t%s\t%d\t%s\n", kind, file, ln, rest }
function nl_count(s,   n, i) { n = 0; for (i = 1; i <= length(s); i++) if (substr(s, i, 1) == "\n") n++; return n }
function only_nl(s,   r, i) { r = ""; for (i = 1; i <= length(s); i++) if (substr(s, i, 1) == "\n") r = r "\n"; return r }
# Code spans, then links, of one paragraph (its lines joined by "\n").
function inline(text, first,   rest, done, a, b, span, t, pre, target, img, lines, i, n) {
  done = ""; rest = text
  while ((a = index(rest, "`")) > 0) {
    b = index(substr(rest, a + 1), "`")
    if (b == 0) break
    span = substr(rest, a + 1, b - 1)
    t = span; gsub(/\n/, " ", t)
    out("S", first + nl_count(done substr(rest, 1, a - 1)), t)
    done = done substr(rest, 1, a - 1) only_nl(span)
    rest = substr(rest, a + b + 1)
  }
  text = done rest; done = ""
  while (match(text, /!?\[[^]]*\]\([^)]*\)/)) {
    pre = substr(text, 1, RSTART - 1)
    t = substr(text, RSTART, RLENGTH)
    img = substr(t, 1, 1) == "!" ? 1 : 0
    target = t; sub(/^[^]]*\]\(/, "", target); sub(/\)$/, "", target)
    gsub(/\n/, " ", target); sub(/^ +/, "", target); sub(/ .*/, "", target)
    out("L", first + nl_count(done pre), target "\t" img)
    done = done pre only_nl(substr(text, RSTART, RLENGTH))  # the link leaves the prose: checked as a link
    text = substr(text, RSTART + RLENGTH)
  }
  text = done text; done = ""
  while (match(text, /<img[^>]*src="[^"]*"/)) {
    t = substr(text, RSTART, RLENGTH); sub(/.*src="/, "", t); sub(/"$/, "", t)
    out("L", first + nl_count(done substr(text, 1, RSTART - 1)), t "\t1")
    done = done substr(text, 1, RSTART + RLENGTH - 1)
    text = substr(text, RSTART + RLENGTH)
  }
  text = done text
  n = split(text, lines, "\n")
  for (i = 1; i <= n; i++) if (lines[i] != "") out("P", first + i - 1, lines[i])
}
function flush() { if (para != "") inline(para, para_line); para = "" }
function indent_of(s) { match(s, /^ */); return RLENGTH }
function start_block(ln, lang) {
  blocks++
  out("B", ln, blocks "\t" (lang == "" ? "-" : lang) "\t" (marker == "" ? "-" : marker))
  marker = ""
}
function end_file() { flush(); if (marker != "") out("E", marker_line, "a check-docs comment must be followed by a code block") }
FNR == 1 { if (NR > 1) end_file(); file = FILENAME; fence = ""; code = 0; para = ""; marker = ""; blank = 1; blocks = 0 }
{ gsub(/\t/, "    ") }
# Inside a fenced block: everything up to the closing fence is code.
fence != "" {
  if (index($0, fence) && $0 ~ /^ *(```|~~~)[`~]* *$/) { fence = ""; blank = 0; next }
  line = $0; i = indent_of(line); if (i > fence_indent) i = fence_indent
  out("C", FNR, blocks "\t" substr(line, i + 1)); next
}
# Inside an indented block: blank lines are kept only if more code follows.
code {
  if ($0 ~ /^ *$/) { pending_n++; next }
  if (indent_of($0) >= 4) {
    for (k = pending_n; k > 0; k--) out("C", FNR - k, blocks "\t")
    pending_n = 0
    line = $0; i = indent_of(line); if (i > code_indent) i = code_indent
    out("C", FNR, blocks "\t" substr(line, i + 1)); next
  }
  code = 0; pending_n = 0; blank = 1
}
/^ *(```|~~~)/ {
  flush(); fence_indent = indent_of($0)
  fence = substr($0, fence_indent + 1, 3)
  lang = $0; sub(/^ *[`~]+/, "", lang); gsub(/ /, "", lang)
  start_block(FNR, lang); next
}
/^ *$/ { flush(); blank = 1; next }
blank && para == "" && indent_of($0) >= 4 {
  code = 1; code_indent = indent_of($0); pending_n = 0
  start_block(FNR, "")
  out("C", FNR, blocks "\t" substr($0, code_indent + 1)); next
}
marker != "" { out("E", marker_line, "a check-docs comment must be followed by a code block"); marker = "" }
/^ *<!-- *check-docs:/ {
  flush(); m = $0; sub(/^ *<!-- *check-docs: */, "", m)
  if (m !~ /-->$/) { out("E", FNR, "a check-docs comment must be one line ending with -->"); next }
  sub(/ *-->$/, "", m); marker = m; marker_line = FNR; blank = 1; next
}
/^#+ / {
  flush(); h = $0; sub(/^#+ +/, "", h); sub(/ +#* *$/, "", h)
  out("H", FNR, h); inline(h, FNR); blank = 1; next
}
{ if (para == "") { para = $0; para_line = FNR } else para = para "\n" $0; blank = 0 }
END { end_file() }
'
scan() { awk "$SCAN_AWK" "$@"; }

records="$tmp/records"
scan "${PAGES[@]}" >"$records"
field() { awk -F'\t' -v k="$1" '$1 == k' "$records"; }  # the records of one kind

while IFS=$'\t' read -r _ file line message; do
  fail "$file:$line" "$message"
done < <(field E)

# ---- GitHub's heading anchors ---------------------------------------------------
# The anchors of a page's headings, one a line. (GitHub keeps letters and
# digits of every script; sed's [:alnum:] is glibc's idea of them, which
# differs only for rare characters such as superscript digits.)
slug_file() {  # slug_file PAGE: the name of a file that holds PAGE's anchors
  local cache
  cache="$tmp/slugs.$(printf '%s' "$1" | tr '/.' '__')"
  if [ ! -f "$cache" ]; then
    scan "$1" | awk -F'\t' '$1 == "H" { print $4 }' |
      sed -E 's/\[([^]]*)\]\([^)]*\)/\1/g; s/.*/\L&/; s/[^[:alnum:] _-]//g; s/ /-/g' |
      awk '{ n = seen[$0]++; print n ? $0 "-" n : $0 }' >"$cache"
  fi
  printf '%s\n' "$cache"
}

# ---- 1. links ---------------------------------------------------------------------
n_links=0 n_anchors=0
images_shown="$tmp/images"
: >"$images_shown"
while IFS=$'\t' read -r _ file line target img; do
  case "$target" in
    http://* | https://* | mailto:*) continue ;;
  esac
  n_links=$((n_links + 1))
  path=${target%%#*}
  anchor=
  [[ "$target" == *'#'* ]] && anchor=${target#*#}
  if [ -z "$path" ]; then
    resolved=$file
  else
    resolved=$(realpath -m --relative-to=. "$(dirname "$file")/$path")
    if [[ "$resolved" == ../* ]]; then
      fail "$file:$line" "link $target leaves the repository"
      continue
    fi
    if [ ! -e "$resolved" ]; then
      fail "$file:$line" "link $target: no such file ($resolved)"
      continue
    fi
  fi
  [[ "$resolved" == docs/img/* ]] && echo "$resolved" >>"$images_shown"
  if [ "$img" = 1 ] && [[ "$resolved" != docs/img/* ]]; then
    fail "$file:$line" "image $target is not in docs/img"
  fi
  if [ -n "$anchor" ]; then
    n_anchors=$((n_anchors + 1))
    if [[ "$resolved" != *.md ]]; then
      fail "$file:$line" "link $target: an anchor into a file that is not a page"
    elif ! grep -qxF -- "$anchor" "$(slug_file "$resolved")"; then
      fail "$file:$line" "link $target: $resolved has no heading with the anchor #$anchor"
    fi
  fi
done < <(field L)

# ---- 1. paths in the text -------------------------------------------------------
# Words that start with a top-level folder of the repository, anywhere in
# prose, code spans and code blocks. A word that is a pattern (followed by
# *, <, { or %) or a placeholder is not a path. "../src/x" is a link target
# (checked above) and "build/obj/src/x.o" a build path: the character before
# the folder name must not be part of a path.
PATH_AWK='
{
  text = ($1 == "C") ? $5 : $4
  while (match(text, /(^|[^A-Za-z0-9_.\/-])(\.\/)?(src|include|tests|bench|docs|examples|\.ci|build(-[a-z0-9]+)*)\/[A-Za-z0-9_.\/-]*/)) {
    word = substr(text, RSTART, RLENGTH); after = substr(text, RSTART + RLENGTH, 1)
    text = substr(text, RSTART + RLENGTH)
    sub(/^[^A-Za-z0-9_.\/-]/, "", word); sub(/^\.\//, "", word)
    if (after ~ /[*<{%]/ || word ~ /\.\.\./) continue
    sub(/[.]+$/, "", word)  # the end of a sentence
    print $2 "\t" $3 "\t" word
  }
}'
products="$tmp/products"  # what the Makefile builds in BUILD, one name a line
targets="$tmp/targets"    # every target of the Makefile
env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -pnq BUILD="$tmp/mk" 2>/dev/null >"$tmp/makedb" || true
grep -E '^(LIB|SHLIB|CLI|TESTS|BENCH) := ' "$tmp/makedb" | sed "s|.* := $tmp/mk/||" >"$products"
awk '/^# Not a target:/ { skip = 1; next }
     /^[^#\t%. ][^=]*:([^=]|$)/ && !skip { sub(/:.*/, ""); print }
     { skip = 0 }' "$tmp/makedb" | sort -u >"$targets"
if [ ! -s "$products" ] || ! grep -qx all "$targets"; then
  echo "check_docs.sh: could not read the Makefile's targets (make -pn failed)" >&2
  exit 2
fi

n_paths=0 n_build_paths=0
while IFS=$'\t' read -r file line word; do
  case "$word" in
    build/* | build-*/*)
      rest=${word#*/}
      n_build_paths=$((n_build_paths + 1))
      case "$rest" in
        "" | */) ;;  # a folder
        obj/*.o)
          src=${rest#obj/}
          [ -e "${src%.o}.cpp" ] || fail "$file:$line" "$word: no source ${src%.o}.cpp to build it from"
          ;;
        experiments/*)
          [ -e "bench/experiments/${rest#experiments/}.cpp" ] ||
            fail "$file:$line" "$word: no bench/experiments/${rest#experiments/}.cpp to build it from"
          ;;
        c/*)
          n=${rest#c/}
          [ -e "tests/c/$n.c" ] || [ -e "examples/$n.c" ] || fail "$file:$line" "$word: the Makefile builds no such C program"
          ;;
        gemmlab* | libgemmlab*)
          grep -qxF -- "$rest" "$products" ||
            fail "$file:$line" "$word: the Makefile builds no $rest (it builds: $(tr '\n' ' ' <"$products"))"
          ;;
        *) ;;  # a folder or file a program writes (the bench's CSV files, a script's text files)
      esac
      ;;
    *)
      for ext in "${EXTERNAL_PATHS[@]}"; do [ "$word" = "$ext" ] && continue 2; done
      n_paths=$((n_paths + 1))
      [ -e "${word%/}" ] || fail "$file:$line" "$word: no such file or folder"
      ;;
  esac
done < <(awk -F'\t' '$1 == "S" || $1 == "P" || $1 == "C"' "$records" | awk -F'\t' "$PATH_AWK")

# ---- 2. make targets --------------------------------------------------------------
# The words after "make" where make starts a command (at the start, after
# "$ ", env, VAR=value words, or after ; & | ( ), up to the end of that
# command, split as the shell would (quotes kept together). Options and
# VAR=value words are skipped; so are words with a $ (shell variables).
# Code blocks in C, C++ or Python are programs, not commands: not read.
MAKE_AWK='
function token(s, i,   c, q, w) {  # the shell word or separator at s[i]; sets next_i
  while (substr(s, i, 1) == " ") i++
  c = substr(s, i, 1)
  if (c ~ /[;&|()`<>]/) { next_i = i + 1; return c }
  w = ""; q = ""
  for (; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (q != "") { if (c == q) q = ""; else w = w c; continue }
    if (c == "\"" || c == "\047") { q = c; continue }
    if (c ~ /[ ;&|()`<>]/) break
    w = w c
  }
  next_i = i; return w
}
$1 == "B" { lang[$2, $4] = $5; next }
{
  text = $4; if ($1 == "C") { if (lang[$2, $4] ~ /^(c|cpp|c\+\+|python|py)$/) next; text = $5 }
  sub(/(^| )#.*/, "", text)  # a shell comment
  start = 1; in_make = 0; dir = "."; i = 1
  while (i <= length(text)) {
    w = token(text, i); i = next_i
    if (w == "") break
    if (w ~ /^[;&|()`<>]$/) { start = 1; in_make = 0; continue }
    if (in_make) {
      if (w == "-C") { dir = token(text, i); i = next_i; continue }
      if (w ~ /^-/ || w ~ /=/ || w ~ /\$/) continue
      print $2 "\t" $3 "\t" dir "\t" w
      continue
    }
    if (!start) continue
    if (w == "$" || w == "env" || w ~ /^[A-Za-z_][A-Za-z0-9_]*=/) continue
    if (w == "make") { in_make = 1; dir = "."; continue }
    start = 0
  }
}'
n_targets=0
while IFS=$'\t' read -r file line dir target; do
  [ "$dir" = . ] || continue  # another folder's Makefile
  n_targets=$((n_targets + 1))
  grep -qxF -- "$target" "$targets" || fail "$file:$line" "make $target: the Makefile has no target '$target'"
done < <(awk -F'\t' '$1 == "S" || $1 == "C" || $1 == "B"' "$records" | awk -F'\t' "$MAKE_AWK")

# ---- 3. kernel names ------------------------------------------------------------------
# The names are the first column of `gemmlab kernels`' two tables (the float
# kernels, then the bf16 ones after their "bf16 kernels (...):" line).
kernels_out=$("$CLI" kernels)
kernels="$tmp/kernels"
awk '/^kernel +isa/ { table = 1; next }
     table && NF && $0 !~ /:$/ { print $1 }' <<<"$kernels_out" | sort -u >"$kernels"
features=$(sed -n 's/^features: *//p' <<<"$kernels_out")
# The kernels this build leaves out ("not compiled into this binary"), in the
# order gemmlab kernels lists them: with the features, what the table shows.
not_compiled=$(awk '/not compiled into this binary/ { printf "%s%s", sep, $1; sep = " " }' <<<"$kernels_out")
if [ ! -s "$kernels" ]; then
  echo "check_docs.sh: found no kernel in the output of $CLI kernels" >&2
  exit 2
fi
KERNEL_ERE='^(naive|loop-order|tiled|register-tile|packed|blocked|simd(-[a-z0-9]+)*|bf16-[a-z0-9-]+)$'
n_kernel_names=0
while IFS=$'\t' read -r file line name; do
  n_kernel_names=$((n_kernel_names + 1))
  grep -qxF -- "$name" "$kernels" ||
    fail "$file:$line" "kernel '$name': gemmlab kernels lists no such kernel (it lists: $(tr '\n' ' ' <"$kernels"))"
done < <(awk -F'\t' -v ere="$KERNEL_ERE" '
  $1 == "S" && $4 ~ ere { print $2 "\t" $3 "\t" $4 }
  $1 == "S" || $1 == "C" {
    text = ($1 == "C") ? $5 : $4
    while (match(text, /(KERNELS=|GEMMLAB_KERNEL=|--kernels? +)[A-Za-z0-9,|-]+/)) {
      list = substr(text, RSTART, RLENGTH); text = substr(text, RSTART + RLENGTH)
      sub(/^(KERNELS=|GEMMLAB_KERNEL=|--kernels? +)/, "", list)
      n = split(list, w, /[,|]/)
      for (i = 1; i <= n; i++) if (w[i] ~ ere) print $2 "\t" $3 "\t" w[i]
    }
  }' "$records")

named_up_front=$(awk -F'\t' '$1 == "S" && ($2 == "README.md" || $2 == "docs/index.md") { print $4 }' "$records" | sort -u)
while read -r k; do
  grep -qxF -- "$k" <<<"$named_up_front" ||
    fail "docs/index.md:1" "kernel '$k' (listed by gemmlab kernels) is named in neither README.md nor docs/index.md"
done <"$kernels"

# ---- 4. output blocks ---------------------------------------------------------------
n_blocks=0 n_commands=0 n_skipped=0

# check_command FILE:LINE COMMAND WANT IGNORE: runs COMMAND as the page would
# (from the top of the checkout, in this build folder, with none of the
# caller's GEMMLAB_* settings) and compares what it prints with the file WANT,
# both without the lines that match IGNORE (if not empty).
check_command() {
  local where=$1 cmd=$2 want=$3 ignore=$4 got="$tmp/got" shell_cmd
  n_commands=$((n_commands + 1))
  shell_cmd=$(sed -E "s#(^|[^A-Za-z0-9_./-])build/#\\1$BUILD/#g" <<<"$cmd")
  # A page's `make run` is a make inside this one: BUILD tells it where this
  # build is, and it must not print "Entering directory" lines.
  (env BUILD="$BUILD" GNUMAKEFLAGS=--no-print-directory timeout 300 bash -c "$shell_cmd" 2>&1 || true) |
    sed "s#$BUILD/#build/#g" >"$got"
  if [ -n "$ignore" ]; then
    grep -Ev -- "$ignore" "$want" >"$want.kept" || true
    grep -Ev -- "$ignore" "$got" >"$got.kept" || true
  else
    cp "$want" "$want.kept"
    cp "$got" "$got.kept"
  fi
  if ! diff -q "$want.kept" "$got.kept" >/dev/null; then
    fail "$where" "\$ $cmd: the output differs from the page (- page, + now${ignore:+, lines matching /$ignore/ left out}):"
    diff -u "$want.kept" "$got.kept" | sed -n '3,40p' >&2 || true
  fi
}

# check_transcript FILE LINE OPTIONS: the output block of FILE that starts at
# LINE, with the options of its check-docs comment.
check_transcript() {
  local file=$1 line=$2 options=$3 ignore='' opt l text cmd='' cmd_line=0
  local want_features=- want_not_compiled=- want="$tmp/want" lines="$tmp/lines"
  local -a opts
  IFS=';' read -r -a opts <<<"$options"
  if [ "${opts[0]}" != output ]; then
    fail "$file:$line" "check-docs comment: expected 'output', got '$options'"
    return
  fi
  for opt in "${opts[@]:1}"; do
    opt=$(sed -E 's/^ +//; s/ +$//' <<<"$opt")
    case "$opt" in
      ignore=*) ignore=${opt#ignore=} ;;
      features=*) want_features=${opt#features=} ;;
      not-compiled=*) want_not_compiled=${opt#not-compiled=} ;;
      *) fail "$file:$line" "check-docs comment: unknown option '$opt'" ;;
    esac
  done
  local elsewhere=0  # recorded on another CPU, or with another build
  [ "$want_features" = - ] || [ "$want_features" = "$features" ] || elsewhere=1
  [ "$want_not_compiled" = - ] || [ "$want_not_compiled" = "$not_compiled" ] || elsewhere=1
  if [ "$elsewhere" = 1 ]; then
    n_skipped=$((n_skipped + 1))
    echo "note: $file:$line: not checked here: recorded on a CPU with features '$want_features'" \
      "and a build without '$want_not_compiled' (here: '$features', without '$not_compiled')" >&2
    return
  fi
  n_blocks=$((n_blocks + 1))
  awk -F'\t' -v f="$file" -v l="$line" '
    $1 == "B" && $2 == f && $3 == l { id = $4 }
    $1 == "C" && $2 == f && id != "" && $4 == id { print $3 "\t" $5 }' "$records" >"$lines"
  : >"$want"
  while IFS=$'\t' read -r l text; do
    if [[ "$text" == '$ '* ]]; then
      [ -z "$cmd" ] || check_command "$file:$cmd_line" "$cmd" "$want" "$ignore"
      cmd=${text#\$ } cmd_line=$l
      : >"$want"
    elif [ -z "$cmd" ]; then
      fail "$file:$l" "an output block must start with a \"\$ command\" line"
      return
    else
      printf '%s\n' "$text" >>"$want"
    fi
  done <"$lines"
  [ -z "$cmd" ] || check_command "$file:$cmd_line" "$cmd" "$want" "$ignore"
}

while IFS=$'\t' read -r _ file line _ _ options; do
  [ "$options" = - ] || check_transcript "$file" "$line" "$options"
done < <(field B)

# ---- 5. images nothing shows ----------------------------------------------------------
n_images=0
for img in docs/img/*; do
  [ -e "$img" ] || continue
  n_images=$((n_images + 1))
  grep -qxF -- "$img" "$images_shown" || fail "$img:1" "no page links to this file"
done

# ---- 6. programs the pages build ------------------------------------------------------
# A heredoc `cat > /tmp/NAME <<'EOF'` in a code block, up to its EOF line,
# and the compiler command on the line after it.
n_programs=0
mkdir -p "$tmp/progs"
avx512_built=1
grep -qE '^simd-avx512 .*not compiled into this binary' <<<"$kernels_out" && avx512_built=0
while IFS=$'\t' read -r file line name compile; do
  if [ -z "$compile" ]; then
    fail "$file:$line" "/tmp/$name: no compiler command follows the program"
    continue
  fi
  if [ "$avx512_built" = 0 ] && [[ "$compile" == *GEMMLAB_HAVE_AVX512* ]]; then
    echo "note: $file:$line: /tmp/$name not compiled: this build has no AVX-512 files" >&2
    continue
  fi
  n_programs=$((n_programs + 1))
  awk -F'\t' -v f="$file" -v l="$line" '
    $1 == "C" && $2 == f && $3 == l { inside = 1; next }
    inside && $1 == "C" && $2 == f && $5 == "EOF" { exit }
    inside && $1 == "C" && $2 == f { print $5 }' "$records" >"$tmp/progs/$name"
  compile=${compile%%&&*}
  compile=$(sed -E "s#/tmp/#$tmp/progs/#g; s#(^|[^A-Za-z0-9_./-])build/#\\1$BUILD/#g" <<<"$compile")
  if ! bash -c "$compile" >"$tmp/progs/$name.log" 2>&1; then
    fail "$file:$line" "/tmp/$name no longer compiles (${compile//$tmp\/progs\//\/tmp\/}):"
    grep -m 8 -E 'error|undefined' "$tmp/progs/$name.log" | sed "s#$tmp/progs/#/tmp/#g" >&2 || true
  fi
done < <(awk -F'\t' '
  $1 != "C" { next }
  match($5, /^cat > \/tmp\/[A-Za-z0-9_.-]+ <<.?EOF.?$/) {
    name = $5; sub(/^cat > \/tmp\//, "", name); sub(/ .*/, "", name)
    pending = $2 "\t" $3 "\t" name; in_doc = 1; next
  }
  in_doc && $5 == "EOF" { in_doc = 0; want = 1; next }
  want { print pending "\t" ($5 ~ /^(g\+\+|c\+\+|clang\+\+|cc|gcc) / ? $5 : ""); want = 0; pending = "" }
  END { if (pending != "") print pending "\t" }' "$records")

# ---- 7. names from the code ------------------------------------------------------------
tests_list="$tmp/tests"  # Suite.Name and Suite.* of every test
grep -hoE 'TEST(_P|_F)? *\( *[A-Za-z0-9_]+ *, *[A-Za-z0-9_]+' tests/*.cpp |
  sed -E 's/^TEST(_P|_F)? *\( *//; s/ *, */./' | awk -F. '{ print; print $1 ".*" }' | sort -u >"$tests_list"
words="$tmp/words"  # every word of the sources and of the pages' code blocks (-DNAME defines NAME)
{
  find src include tests bench examples .ci Makefile -type f -exec cat {} +
  awk -F'\t' '$1 == "C" { print $5 }' "$records"
} | sed -E 's/(^|[^A-Za-z0-9_])-D/\1 /g' | tr -c 'A-Za-z0-9_' '\n' | grep -v '^$' | sort -u >"$words"
n_test_names=0 n_identifiers=0
while IFS=$'\t' read -r _ file line span; do
  if [[ "$span" =~ ^[A-Z][A-Za-z0-9]*\.([A-Z][A-Za-z0-9]*|\*)$ ]]; then
    n_test_names=$((n_test_names + 1))
    grep -qxF -- "$span" "$tests_list" || fail "$file:$line" "test $span: no such test in tests/*.cpp"
    continue
  fi
  name=${span%%(*}  # first_lanes(n) -> first_lanes
  [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*$ ]] || continue
  for part in ${name//::/ }; do
    [[ "$part" == *_* || "$part" =~ [a-z0-9][A-Z] ]] || continue
    [[ "$part" == _mm* ]] && continue
    for other in "${OTHER_NAMES[@]}"; do [ "$part" = "$other" ] && continue 2; done
    n_identifiers=$((n_identifiers + 1))
    grep -qxF -- "$part" "$words" || fail "$file:$line" "\`$span\`: no $part in the sources"
  done
done < <(field S)

# ---- the verdict -------------------------------------------------------------------------
if [ "$n_failures" -gt 0 ]; then
  echo "check-docs: FAILED: $n_failures problem(s) in ${#PAGES[@]} pages (see above)" >&2
  exit 1
fi
echo "check-docs: ${#PAGES[@]} pages: $n_links links ($n_anchors anchors), $n_paths repository paths," \
  "$n_build_paths build paths, $n_targets make targets, $n_kernel_names kernel names" \
  "(all $(wc -l <"$kernels") kernels named up front), $n_blocks output blocks ($n_commands commands;" \
  "$n_skipped skipped on this CPU or build), $n_programs programs compiled, $n_images images," \
  "$n_test_names test names, $n_identifiers names from the code: all good"
