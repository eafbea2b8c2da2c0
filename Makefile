# gemmlab — build with plain GNU make.
#
#   make            the libraries build/libgemmlab.a and build/libgemmlab.so, and the CLI build/gemmlab
#   make run        the seed's RNN with every kernel
#   make test       builds and runs the GoogleTest suite and the C ABI tests
#   make test-huge  the tests with dimensions near INT_MAX (8 GiB operands, about a minute)
#   make test-arm64 the suite cross-compiled for aarch64, run under qemu (NEON kernel)
#   make bench      the full benchmark sweep (several minutes); writes build/bench/, with
#                   results.md (every table of the run) and roofline.svg
#   make results    make bench, then its results.md and roofline.svg copied into docs/
#   make bench-quick  a reduced sweep (under a minute)
#                   (both: KERNELS=a,b picks kernels, PRECISION=f32|bf16 the float or bf16 ones alone)
#   make tune       times simd's cache blocks around its constants and the cache model's, and
#                   writes the best to build/tuning.txt, for GEMMLAB_TUNING_FILE (under a minute
#                   on an AVX-512 core; TUNE_ARGS adds options: gemmlab tune --help)
#   make asan       the tests and the CLI under AddressSanitizer + UBSan
#   make valgrind   the tests under valgrind memcheck (slow)
#   make lint       clang-format and clang-tidy checks;  make format  applies clang-format
#   make check-docs the docs name only what exists, and show what the commands print
#   make diff STEP=packed  what one teaching step changes in the step before it: diff -u of
#                   their files (STEP: loop-order, tiled, register-tile, packed, or the
#                   micro-kernel steps simd-avx2 and simd-avx512)
#
# Variables a user may set: CXX (g++ or clang++), BUILD (output folder),
# SIMD=none (build without any ISA-specific kernel), WERROR=1 (warnings are
# errors, as in CI), GTEST_DIR (a GoogleTest source tree to build from).
#
# One binary runs everywhere: the project is built for the baseline of its
# target (x86-64 or aarch64). Only the files named *_avx2*.cpp / *_avx512*.cpp
# (x86-64) and *_neon*.cpp (aarch64) get ISA flags; the library chooses among
# them at run time from what the CPU reports (src/core/cpu.cpp).

CXX      ?= g++
BUILD    ?= build
SIMD     ?= auto
OPT      ?= -O3
CXXFLAGS ?= $(OPT) -g
WARN     := -Wall -Wextra -Wpedantic
ifeq ($(WERROR),1)
WARN     += -Werror
endif
CPPFLAGS += -Iinclude -Isrc
# Every object can go into the shared library (-fPIC). Nothing is exported
# from it but the C ABI (src/capi/libgemmlab.map), and hidden visibility lets
# the compiler treat every other function as the library's own (no
# interposition); thread_local variables use the initial-exec model, which
# a library loaded at start-up (linked, or LD_PRELOADed) can use, instead of
# a call to __tls_get_addr on every access.
PIC_FLAGS := -fPIC -fvisibility=hidden -ftls-model=initial-exec
ALL_CXXFLAGS = -std=c++20 $(WARN) $(PIC_FLAGS) $(CXXFLAGS) $(EXTRA_CXXFLAGS)
LDLIBS   += -pthread

# ---- which ISA-specific files this target builds ---------------------------
TARGET_MACHINE := $(shell $(CXX) -dumpmachine)
ifneq ($(findstring x86_64,$(TARGET_MACHINE)),)
  ARCH := x86_64
else ifneq ($(findstring aarch64,$(TARGET_MACHINE)),)
  ARCH := aarch64
else
  ARCH := other
endif

# Flags per ISA file family. A file whose name contains "avx2", "avx512",
# "avx512bf16", "amx" or "neon" (src/ or bench/) is ISA-specific: it is
# compiled only for its target architecture, with these flags. AVX-512 files
# may use F, VL, BW and DQ; "avx512bf16" files also AVX512_BF16 (the name
# contains "avx512", so the AVX-512 family below leaves them out); "amx"
# files AVX-512 and the AMX tile and bf16 instructions.
FLAGS_avx2   := -mavx2 -mfma
FLAGS_avx512 := -mavx512f -mavx512vl -mavx512bw -mavx512dq -mavx2 -mfma
FLAGS_avx512bf16 := $(FLAGS_avx512) -mavx512bf16
FLAGS_amx    := $(FLAGS_avx512) -mamx-tile -mamx-bf16
FLAGS_neon   :=

files_with = $(foreach f,$2,$(if $(findstring $1,$(notdir $f)),$f))
ALL_SRC    := $(wildcard src/*/*.cpp)
CLI_SRC    := $(wildcard src/cli/*.cpp)
BENCH_ALL  := $(wildcard bench/*.cpp)
TEST_SRC   := $(wildcard tests/*.cpp)
AVX2_FILES   := $(call files_with,avx2,$(ALL_SRC) $(BENCH_ALL))
AVX512BF16_FILES := $(call files_with,avx512bf16,$(ALL_SRC) $(BENCH_ALL))
AVX512_FILES := $(filter-out $(AVX512BF16_FILES),$(call files_with,avx512,$(ALL_SRC) $(BENCH_ALL)))
AMX_FILES    := $(call files_with,amx,$(ALL_SRC) $(BENCH_ALL))
NEON_FILES   := $(call files_with,neon,$(ALL_SRC) $(BENCH_ALL))
ISA_FILES    := $(AVX2_FILES) $(AVX512_FILES) $(AVX512BF16_FILES) $(AMX_FILES) $(NEON_FILES)

# The ISA files this build compiles, and the macros that tell registry.cpp.
ENABLED_ISA_FILES :=
ifneq ($(SIMD),none)
  ifeq ($(ARCH),x86_64)
    ENABLED_ISA_FILES += $(AVX2_FILES) $(AVX512_FILES) $(AVX512BF16_FILES) $(AMX_FILES)
    CPPFLAGS += $(if $(filter src/%,$(AVX2_FILES)),-DGEMMLAB_HAVE_AVX2=1)
    CPPFLAGS += $(if $(filter src/%,$(AVX512_FILES)),-DGEMMLAB_HAVE_AVX512=1)
    CPPFLAGS += $(if $(filter src/%,$(AVX512BF16_FILES)),-DGEMMLAB_HAVE_AVX512BF16=1)
    CPPFLAGS += $(if $(filter src/%,$(AMX_FILES)),-DGEMMLAB_HAVE_AMX=1)
  endif
  ifeq ($(ARCH),aarch64)
    ENABLED_ISA_FILES += $(NEON_FILES)
    CPPFLAGS += $(if $(filter src/%,$(NEON_FILES)),-DGEMMLAB_HAVE_NEON=1)
  endif
endif

LIB_SRC   := $(filter-out $(ISA_FILES) $(CLI_SRC),$(ALL_SRC)) $(filter src/%,$(ENABLED_ISA_FILES))
BENCH_SRC := $(filter-out $(ISA_FILES),$(BENCH_ALL)) $(filter bench/%,$(ENABLED_ISA_FILES))

LIB_OBJ  := $(LIB_SRC:%.cpp=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:%.cpp=$(BUILD)/obj/%.o)
TEST_OBJ := $(TEST_SRC:%.cpp=$(BUILD)/obj/%.o)
BENCH_OBJ := $(BENCH_SRC:%.cpp=$(BUILD)/obj/%.o)

# The benchmark's own ISA files (bench/peak_avx2.cpp ...) tell bench/peak.cpp they are built.
BENCH_CPPFLAGS := $(foreach isa,AVX2 AVX512 AVX512BF16 AMX NEON,$(if $(filter bench/%,$(filter $($(isa)_FILES),$(ENABLED_ISA_FILES))),-DGEMMLAB_BENCH_HAVE_$(isa)=1))
$(BENCH_OBJ): CPPFLAGS += $(BENCH_CPPFLAGS)

LIB   := $(BUILD)/libgemmlab.a
SHLIB := $(BUILD)/libgemmlab.so
CLI   := $(BUILD)/gemmlab
TESTS := $(BUILD)/gemmlab-tests
BENCH := $(BUILD)/gemmlab-bench

.PHONY: all lib run test bench bench-quick clean
all: $(LIB) $(SHLIB) $(CLI)
lib: $(LIB) $(SHLIB)

# Per-file ISA flags, chosen by the file's name.
isa_flags = $(strip $(if $(filter $(AVX512_FILES),$1),$(FLAGS_avx512)) $(if $(filter $(AVX512BF16_FILES),$1),$(FLAGS_avx512bf16)) \
  $(if $(filter $(AMX_FILES),$1),$(FLAGS_amx)) $(if $(filter $(AVX2_FILES),$1),$(FLAGS_avx2)) \
  $(if $(filter $(NEON_FILES),$1),$(FLAGS_neon)))

# Every object also depends on the settings it was compiled with. make alone
# only sees file dates: switching SIMD=none, CXX or CXXFLAGS in the same BUILD
# folder would keep objects built the other way (a registry.o still naming an
# ISA kernel that is no longer built fails to link). $(FLAGS_STAMP) holds the
# settings of the last build and is rewritten, so that everything recompiles,
# only when they change. (Warning flags are left out: WERROR=1 changes no code.)
FLAGS_STAMP := $(BUILD)/compile-settings.txt
FLAGS_NOW := $(subst ','\'',$(strip $(CXX) $(CPPFLAGS) $(CXXFLAGS) $(EXTRA_CXXFLAGS) $(BENCH_CPPFLAGS) $(ENABLED_ISA_FILES)))
$(shell mkdir -p $(BUILD) && if [ "$$(cat $(FLAGS_STAMP) 2>/dev/null)" != '$(FLAGS_NOW)' ]; then \
  echo '$(FLAGS_NOW)' > $(FLAGS_STAMP); fi)

$(BUILD)/obj/%.o: %.cpp $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(ALL_CXXFLAGS) $(call isa_flags,$<) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

# The shared library: the same objects, exporting only cblas_sgemm, sgemm_
# and xerbla_ (the version script), so that LD_PRELOAD can put it in front
# of any BLAS without clashing with anything else a program links.
SHLIB_MAP := src/capi/libgemmlab.map
$(SHLIB): $(LIB_OBJ) $(SHLIB_MAP)
	$(CXX) $(ALL_CXXFLAGS) $(LDFLAGS) -shared -Wl,--version-script=$(SHLIB_MAP) -Wl,-soname,libgemmlab.so \
	  $(LIB_OBJ) -o $@ $(LDLIBS)

$(CLI): $(CLI_OBJ) $(LIB)
	$(CXX) $(ALL_CXXFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)

run: $(CLI)
	$(RUN_PREFIX) ./$(CLI) rnn

.PHONY: tune
TUNE_ARGS ?=
tune: $(CLI)
	$(RUN_PREFIX) ./$(CLI) tune --out $(BUILD)/tuning.txt $(TUNE_ARGS)

# ---- GoogleTest discovery ---------------------------------------------------
# 1. the system library (pkg-config gtest_main, or -lgtest -lgtest_main);
# 2. else a source tree named by GTEST_DIR (Debian: /usr/src/googletest), built here;
# 3. else stop and say how to install it.
GTEST_DIR ?=
GTEST_SYSTEM := $(shell pkg-config --exists gtest_main 2>/dev/null && echo pkg)
ifeq ($(GTEST_SYSTEM),)
  GTEST_SYSTEM := $(shell printf 'int main(){}' | $(CXX) -x c++ - -o /dev/null -lgtest_main -lgtest -pthread 2>/dev/null && echo lib)
endif
ifneq ($(GTEST_DIR),)
  GTEST_SYSTEM :=
endif
ifeq ($(GTEST_SYSTEM),pkg)
  GTEST_CFLAGS := $(shell pkg-config --cflags gtest_main)
  GTEST_LIBS   := $(shell pkg-config --libs gtest_main)
  GTEST_DEPS   :=
else ifeq ($(GTEST_SYSTEM),lib)
  GTEST_CFLAGS :=
  GTEST_LIBS   := -lgtest_main -lgtest -pthread
  GTEST_DEPS   :=
else ifneq ($(GTEST_DIR),)
  GTEST_SRC_ROOT := $(GTEST_DIR)$(if $(wildcard $(GTEST_DIR)/googletest/src),/googletest)
  GTEST_CFLAGS := -isystem $(GTEST_SRC_ROOT)/include
  GTEST_LIBS   := $(BUILD)/gtest/libgtest_main.a $(BUILD)/gtest/libgtest.a -pthread
  GTEST_DEPS   := $(BUILD)/gtest/libgtest_main.a $(BUILD)/gtest/libgtest.a
else
  GTEST_MISSING := 1
endif

$(BUILD)/gtest/libgtest.a:
	@mkdir -p $(dir $@)
	$(CXX) -std=c++20 $(CXXFLAGS) -isystem $(GTEST_SRC_ROOT)/include -I$(GTEST_SRC_ROOT) -c $(GTEST_SRC_ROOT)/src/gtest-all.cc -o $(BUILD)/gtest/gtest-all.o
	$(AR) rcs $@ $(BUILD)/gtest/gtest-all.o
$(BUILD)/gtest/libgtest_main.a:
	@mkdir -p $(dir $@)
	$(CXX) -std=c++20 $(CXXFLAGS) -isystem $(GTEST_SRC_ROOT)/include -I$(GTEST_SRC_ROOT) -c $(GTEST_SRC_ROOT)/src/gtest_main.cc -o $(BUILD)/gtest/gtest_main.o
	$(AR) rcs $@ $(BUILD)/gtest/gtest_main.o

$(TEST_OBJ): CPPFLAGS += $(GTEST_CFLAGS)
$(TEST_OBJ): | gtest-check $(GTEST_DEPS)

.PHONY: gtest-check
gtest-check:
ifeq ($(GTEST_MISSING),1)
	@echo "GoogleTest was not found. Install it, or point GTEST_DIR at a source tree:" >&2
	@echo "  Debian/Ubuntu: sudo apt-get install libgtest-dev   (or: make test GTEST_DIR=/usr/src/googletest)" >&2
	@echo "  Fedora:        sudo dnf install gtest-devel" >&2
	@echo "  macOS:         brew install googletest" >&2
	@exit 1
endif

# The tests also call the CLI's commands in process (every CLI object but
# main.o) and run the built binary end to end; tests/test_rnn_cli.cpp finds
# it, and its fixture files, through these two paths.
CLI_TEST_OBJ := $(filter-out %/main.o,$(CLI_OBJ))
$(BUILD)/obj/tests/test_rnn_cli.o tidy/tests/test_rnn_cli.cpp: CPPFLAGS += -DGEMMLAB_CLI_PATH='"$(abspath $(CLI))"' \
  -DGEMMLAB_TEST_DATA_DIR='"$(abspath tests/data)"'

$(TESTS): $(TEST_OBJ) $(CLI_TEST_OBJ) $(LIB) $(GTEST_DEPS)
	$(CXX) $(ALL_CXXFLAGS) $(LDFLAGS) $(TEST_OBJ) $(CLI_TEST_OBJ) $(LIB) -o $@ $(GTEST_LIBS) $(LDLIBS)

test: $(TESTS) $(CLI) test-c-abi
	$(RUN_PREFIX) ./$(TESTS) $(GTEST_ARGS)

# Sizes near INT_MAX (tests/test_gemm_huge.cpp): 8 GiB operands, about a
# minute on two cores, so not part of `make test`.
.PHONY: test-huge
test-huge: $(TESTS)
	GEMMLAB_TEST_HUGE=1 $(RUN_PREFIX) ./$(TESTS) --gtest_filter='*HugeDimension*'

# ---- the C ABI, from C ------------------------------------------------------------
# tests/c/test_cblas.c is plain C (C11, compiled by $(CC)), linked against
# the shared library exactly as a user's program would be; the script runs it
# and the cases that need a fresh process (the default xerbla_, GEMMLAB_KERNEL,
# GEMMLAB_VERBOSE). examples/cblas_example.c is built too, so it keeps compiling.
CC        ?= cc
C_ABI_CFLAGS ?=
C_ABI_BIN := $(BUILD)/c
C_ABI_LINK = -L$(BUILD) -lgemmlab -Wl,-rpath,$(abspath $(BUILD)) -lm
.PHONY: test-c-abi
$(C_ABI_BIN)/%: tests/c/%.c include/gemmlab/cblas.h $(SHLIB)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -O2 $(C_ABI_CFLAGS) -Iinclude $< -o $@ $(C_ABI_LINK)
$(C_ABI_BIN)/cblas_example: examples/cblas_example.c include/gemmlab/cblas.h $(SHLIB)
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(WARN) -O2 $(C_ABI_CFLAGS) -Iinclude $< -o $@ $(C_ABI_LINK)
test-c-abi: $(C_ABI_BIN)/test_cblas $(C_ABI_BIN)/default_xerbla $(C_ABI_BIN)/cblas_example
	RUN_PREFIX="$(RUN_PREFIX)" bash tests/c/run.sh $(C_ABI_BIN)

# ---- benchmarks ---------------------------------------------------------------
$(BENCH): $(BENCH_OBJ) $(LIB)
	$(CXX) $(ALL_CXXFLAGS) $(LDFLAGS) $^ -o $@ $(LDLIBS)

KERNELS ?=
BENCH_ARGS ?=
# results.md records the source version measured: git's description of it
# ("-dirty" with uncommitted changes), or "unknown" outside a git checkout.
BENCH_COMMIT = $(shell git describe --always --dirty 2>/dev/null || echo unknown)
bench: $(BENCH)
	./$(BENCH) --out $(BUILD)/bench --commit "$(BENCH_COMMIT)" $(if $(KERNELS),--kernels $(KERNELS)) $(if $(PRECISION),--precision $(PRECISION)) $(BENCH_ARGS)
bench-quick: $(BENCH)
	./$(BENCH) --quick --out $(BUILD)/bench --commit "$(BENCH_COMMIT)" $(if $(KERNELS),--kernels $(KERNELS)) $(if $(PRECISION),--precision $(PRECISION)) $(BENCH_ARGS)

# `make results`: the full sweep, then its results.md and roofline.svg copied
# into the docs (docs/results.md, docs/img/roofline.svg): the one set of
# numbers the pages quote. Re-run it when a change alters what the bench
# measures, on a quiet machine, and commit both files with the change.
.PHONY: results
results: bench
	cp $(BUILD)/bench/results.md docs/results.md
	cp $(BUILD)/bench/roofline.svg docs/img/roofline.svg

# ---- Experiments ----------------------------------------------------------------
# Programs behind figures in docs/ that the bench itself does not produce,
# each one file in bench/experiments/ using the public API only:
# `make experiments` builds build/experiments/<name>; each file's header says
# how to run it and what it measures.
EXPERIMENT_SRC := $(wildcard bench/experiments/*.cpp)
EXPERIMENTS    := $(EXPERIMENT_SRC:bench/experiments/%.cpp=$(BUILD)/experiments/%)
.PHONY: experiments
experiments: $(EXPERIMENTS)
$(BUILD)/experiments/%: bench/experiments/%.cpp $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) -Iinclude $(ALL_CXXFLAGS) $< $(LIB) -o $@ $(LDLIBS) -ldl

# ---- the docs ---------------------------------------------------------------------
# `make check-docs` fails when README.md or docs/*.md name a file, make target
# or kernel that does not exist, link to a missing heading, show an output the
# command no longer prints (blocks marked <!-- check-docs: output -->), or
# hold a program that no longer compiles; tests/check_docs.sh says what it
# reads and why. It asks this build's CLI for the kernels and links the
# pages' programs against this build's library, so it builds both first. (The
# "+": a page may show `make run`, which then shares this make's job slots.)
.PHONY: check-docs
check-docs: $(CLI) $(LIB)
	+bash tests/check_docs.sh $(BUILD)

# ---- the teaching steps, one diff each ---------------------------------------------
# Each direct kernel is one file and one idea more than the file before it
# (naive.cpp -> loop_order.cpp -> tiled.cpp -> register_tile.cpp -> packed.cpp),
# so `make diff STEP=register-tile` prints exactly what that step changed.
# (blocked is not in the list: it is packed.cpp's loops in the shared driver,
# goto.cpp, with the micro-kernel in files of its own; docs/03b-register-tile-and-packing.md.)
# After it the steps are micro-kernels for that driver, each a file with the
# same contract (microkernel.hpp): STEP=simd-avx2 diffs the portable 4 x 16
# tile against the AVX2 intrinsics 6 x 16, STEP=simd-avx512 that against the
# AVX-512 14 x 32 (docs/04-simd-microkernel.md).
LADDER := naive loop_order tiled register_tile packed
STEP   ?=
.PHONY: diff
diff:
	@step='$(subst -,_,$(STEP))'; prev=''; \
	for s in $(LADDER); do \
	  if [ "$$s" = "$$step" ] && [ -n "$$prev" ]; then diff -u src/gemm/$$prev.cpp src/gemm/$$s.cpp; exit 0; fi; \
	  prev=$$s; \
	done; \
	case "$$step" in \
	  simd_avx2) diff -u src/gemm/microkernel_portable.hpp src/gemm/microkernel_avx2_6x16.cpp; exit 0;; \
	  simd_avx512) diff -u src/gemm/microkernel_avx2_6x16.cpp src/gemm/microkernel_avx512_14x32.cpp; exit 0;; \
	esac; \
	echo "make diff: STEP='$(STEP)': expected one of loop-order, tiled, register-tile, packed, simd-avx2, simd-avx512" >&2; exit 2

# ---- ARM64 under emulation ------------------------------------------------------
# `make test-arm64` cross-compiles the library, the CLI and the tests for
# aarch64 (GoogleTest built from source for that target) and runs them under
# qemu user-mode emulation, so the NEON kernel and every portable path are
# tested on an x86-64 machine. Debian/Ubuntu packages: g++-aarch64-linux-gnu,
# qemu-user (and googletest for the source tree). The whole suite runs, with
# GEMMLAB_TEST_EMULATED=1: emulation makes the tests 10-20x slower, and that
# variable shortens only the exhaustive 1..40 shape sweep, to 1..28
# (tests/test_gemm.cpp says why that still covers every ARM64 tile edge).
ARM64_CXX       ?= aarch64-linux-gnu-g++
ARM64_CC        ?= aarch64-linux-gnu-gcc
ARM64_BUILD     ?= $(BUILD)-arm64
ARM64_GTEST_DIR ?= /usr/src/googletest
ARM64_SYSROOT   ?= /usr/aarch64-linux-gnu
QEMU_AARCH64    ?= qemu-aarch64
.PHONY: test-arm64
test-arm64:
	@command -v $(ARM64_CXX) >/dev/null || { echo "test-arm64: $(ARM64_CXX) not found (Debian: apt-get install g++-aarch64-linux-gnu)" >&2; exit 1; }
	@command -v $(QEMU_AARCH64) >/dev/null || { echo "test-arm64: $(QEMU_AARCH64) not found (Debian: apt-get install qemu-user)" >&2; exit 1; }
	@test -d $(ARM64_GTEST_DIR) || { echo "test-arm64: no GoogleTest source in ARM64_GTEST_DIR=$(ARM64_GTEST_DIR) (Debian: apt-get install googletest)" >&2; exit 1; }
	$(MAKE) CXX=$(ARM64_CXX) CC=$(ARM64_CC) BUILD=$(ARM64_BUILD) GTEST_DIR=$(ARM64_GTEST_DIR) \
	  RUN_PREFIX="env GEMMLAB_TEST_EMULATED=1 $(QEMU_AARCH64) -L $(ARM64_SYSROOT)" test
	$(QEMU_AARCH64) -L $(ARM64_SYSROOT) ./$(ARM64_BUILD)/gemmlab kernels

# ---- quality: sanitizers, valgrind, lint ---------------------------------------
#   make asan      the CLI and the tests built with AddressSanitizer + UBSan in
#                  $(ASAN_BUILD)/ (ISA files keep their ISA flags), then run; any
#                  report is fatal. libstdc++ assertions also check every
#                  std::vector / std::span index in that build.
#   make valgrind  the tests of $(BUILD) under valgrind memcheck (slow: minutes).
#   make lint      clang-format --dry-run -Werror and clang-tidy on every source
#                  (.clang-format, .clang-tidy); `make -j2 lint` checks two at once.
#   make format    rewrites every source with clang-format.
SANITIZE   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ASAN_BUILD ?= build-asan
ASAN_ENV   := ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1 \
              UBSAN_OPTIONS=print_stacktrace=1
.PHONY: asan asan-check valgrind lint format format-check tidy
asan:
	$(MAKE) --no-print-directory BUILD=$(ASAN_BUILD) OPT=-O1 EXTRA_CXXFLAGS="$(SANITIZE) -D_GLIBCXX_ASSERTIONS" \
	  C_ABI_CFLAGS="$(SANITIZE)" asan-check
# The CLI first, the tests last: the log ends with GoogleTest's summary.
asan-check: $(TESTS) $(CLI) $(C_ABI_BIN)/test_cblas $(C_ABI_BIN)/default_xerbla $(C_ABI_BIN)/cblas_example
	$(ASAN_ENV) ./$(CLI) kernels
	$(ASAN_ENV) ./$(CLI) rnn >/dev/null
	$(ASAN_ENV) bash tests/c/run.sh $(C_ABI_BIN)
	$(ASAN_ENV) ./$(TESTS) $(GTEST_ARGS)

# Valgrind 3.19 cannot decode AVX-512 instructions. It shows the program a
# synthetic CPU instead of the real one (on an AVX-512 Xeon: an i7-4910MQ with
# AVX2 + FMA), so the library already skips its AVX-512 code under it;
# GEMMLAB_DISABLE_ISA=avx512 makes that explicit, whatever CPUID valgrind fakes.
# Valgrind runs the tests about 20x slower (as an emulator does), so
# GEMMLAB_TEST_EMULATED=1 shortens the exhaustive shape sweep to 1..28 (as
# under qemu); every other test runs in full. About 3 min of CPU here.
# Add --track-origins=yes to VALGRIND_FLAGS to trace an uninitialised value.
VALGRIND       ?= valgrind
VALGRIND_FLAGS ?= --error-exitcode=1 --leak-check=full
VALGRIND_ENV   ?= GEMMLAB_DISABLE_ISA=avx512 GEMMLAB_TEST_EMULATED=1
valgrind: $(TESTS)
	$(VALGRIND_ENV) $(VALGRIND) $(VALGRIND_FLAGS) ./$(TESTS) $(GTEST_ARGS)

# ---- threads: ThreadSanitizer, the settings tests' CLI --------------------------
#   make tsan   the threaded tests built with ThreadSanitizer in $(TSAN_BUILD)/
#               and run; any report is fatal. TSAN_FILTER picks the suites that
#               start threads (the pool, concurrent callers, fork, the fallback
#               when threads are refused); GTEST_ARGS replaces it. About two
#               minutes here, most of it the build.
# die_after_fork=0: TSan by default kills a forked child of a multi-threaded
# process that starts threads, and starting threads there is exactly what
# the fork tests check (the child gets a new pool).
# TSAN_CXX: clang++ when it is installed. GCC 12's ThreadSanitizer dies in
# such a child ("dup thread with used id": glibc gives the new thread the
# stack of a parent thread that its registry still lists), so with g++ the
# fork tests skip themselves; clang 14's handles it.
TSAN_CXX    ?= $(if $(shell command -v clang++ 2>/dev/null),clang++,$(CXX))
TSAN_BUILD  ?= build-tsan
TSAN_ENV    := TSAN_OPTIONS=halt_on_error=1:die_after_fork=0:second_deadlock_stack=1
TSAN_FILTER ?= --gtest_filter='ThreadPool*:SgemmThreads*:SetNumThreads*:ForkSafety*:*ThreadedKernel*:Settings.SetNumThreads*:*ThreadedRun*'
.PHONY: tsan tsan-check
tsan:
	$(MAKE) --no-print-directory CXX=$(TSAN_CXX) BUILD=$(TSAN_BUILD) OPT=-O1 EXTRA_CXXFLAGS="-fsanitize=thread" tsan-check
tsan-check: $(TESTS) $(CLI)
	$(TSAN_ENV) ./$(TESTS) $(if $(GTEST_ARGS),$(GTEST_ARGS),$(TSAN_FILTER))

# tests/test_settings.cpp runs the built CLI.
$(BUILD)/obj/tests/test_settings.o tidy/tests/test_settings.cpp: CPPFLAGS += -DGEMMLAB_CLI_PATH='"$(abspath $(CLI))"'

CLANG_FORMAT ?= clang-format
CLANG_TIDY   ?= clang-tidy
FORMAT_FILES := $(sort $(wildcard include/gemmlab/*.hpp src/*/*.hpp src/*/*.cpp tests/*.hpp tests/*.cpp bench/*.hpp bench/*.cpp) $(EXPERIMENT_SRC))
TIDY_FILES   := $(sort $(ALL_SRC) $(TEST_SRC) $(BENCH_ALL) $(EXPERIMENT_SRC))
# clang-tidy compiles each file as the build does: its ISA flags, GoogleTest's
# include path for tests, the bench macros for bench/, and the aarch64 target
# for NEON files (on x86-64 this needs the cross toolchain's headers:
# g++-aarch64-linux-gnu). A file with flags of its own (target-specific
# CPPFLAGS on its object) names tidy/<file> as a target of the same line.
tidy_target = $(if $(filter-out aarch64,$(ARCH)),$(if $(filter $(NEON_FILES),$1),--target=aarch64-linux-gnu))
tidy_flags  = -std=c++20 $(CPPFLAGS) $(if $(filter tests/%,$1),$(GTEST_CFLAGS)) $(if $(filter bench/%,$1),$(BENCH_CPPFLAGS)) \
              $(call isa_flags,$1) $(call tidy_target,$1)
lint: format-check tidy
format-check:
	$(CLANG_FORMAT) --dry-run -Werror $(FORMAT_FILES)
format:
	$(CLANG_FORMAT) -i $(FORMAT_FILES)
tidy: $(addprefix tidy/,$(TIDY_FILES))
# Tests skip the static analyser (clang-analyzer-*): on GoogleTest's macro
# expansions it is most of the lint time (tests/test_gemm.cpp: 35 s of CPU
# with it, 8 s without), and the tests themselves run under ASan + UBSan.
tidy/%: %
	$(CLANG_TIDY) --quiet $(if $(filter tests/%,$<),'--checks=-clang-analyzer-*') $< -- $(call tidy_flags,$<)

# ---- fuzzing (optional, clang++ only) --------------------------------------------
#   make fuzz-matrix-reader   the text matrix reader under libFuzzer + ASan + UBSan,
#                             built in $(FUZZ_BUILD)/ (how to run it: the comment at the
#                             top of tests/fuzz/fuzz_matrix_reader.cpp). Not part of make test.
FUZZ_CXX   ?= clang++
FUZZ_BUILD ?= build-fuzz
.PHONY: fuzz-matrix-reader
fuzz-matrix-reader:
	@mkdir -p $(FUZZ_BUILD)
	$(FUZZ_CXX) -std=c++20 $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	  $(CPPFLAGS) tests/fuzz/fuzz_matrix_reader.cpp src/io/matrix_io.cpp src/core/matrix.cpp \
	  -o $(FUZZ_BUILD)/fuzz_matrix_reader

# fuzz-matrix-reader-run: build it, then fuzz for FUZZ_SECONDS with the test
# fixtures as seeds. New inputs go to $(FUZZ_BUILD)/corpus (libFuzzer writes
# into its first directory), never into tests/data; a crash leaves its input
# in $(FUZZ_BUILD)/ and fails the target.
FUZZ_SECONDS ?= 60
.PHONY: fuzz-matrix-reader-run
fuzz-matrix-reader-run: fuzz-matrix-reader
	@mkdir -p $(FUZZ_BUILD)/corpus
	./$(FUZZ_BUILD)/fuzz_matrix_reader -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	  -artifact_prefix=$(FUZZ_BUILD)/ $(FUZZ_BUILD)/corpus tests/data/rnn_torch

clean:
	rm -rf $(BUILD)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BENCH_OBJ:.o=.d)
