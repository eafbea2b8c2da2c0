// GEMMLAB_NUM_THREADS and GEMMLAB_DISABLE_ISA: one rule each, read once, and
// an invalid value reported the same way by every call (gemmlab/gemm.hpp,
// gemmlab/cpu.hpp), by the library and by `gemmlab kernels`.
//
// The library reads these variables once per process, and this test
// process read them long ago. So each case runs in a new process: the
// GoogleTest death-test machinery in its "threadsafe" style starts this
// binary again, runs the test up to the case and then the case's body, in
// which the library reads the environment for the first time. The body
// returns what it observed as text; the new process writes it to stderr
// between brackets and exits 0, and the check is that this text is exactly
// the expected one.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "gemmlab/cpu.hpp"
#include "gemmlab/gemm.hpp"
#include "gemmlab/random.hpp"
#include "test_util.hpp"

#if !defined(GEMMLAB_CLI_PATH)
#error "the Makefile passes GEMMLAB_CLI_PATH to this file"
#endif

namespace gemmlab {
namespace {

// Sets (or, with nullopt, unsets) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = std::getenv(name)) saved_ = old;
    apply(value);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ScopedEnv(ScopedEnv&&) = delete;
  ScopedEnv& operator=(ScopedEnv&&) = delete;
  ~ScopedEnv() { apply(saved_); }

 private:
  void apply(const std::optional<std::string>& value) {
    if (value)
      setenv(name_, value->c_str(), 1);
    else
      unsetenv(name_);
  }
  const char* name_;
  std::optional<std::string> saved_;
};

// "ok", or the exception `call` threw, as text.
std::string outcome(const std::function<void()>& call) {
  try {
    call();
    return "ok";
  } catch (const std::invalid_argument& e) {
    return std::string("invalid_argument: ") + e.what();
  } catch (const std::exception& e) {
    return std::string("other exception: ") + e.what();
  }
}

// The new process's side: write what the body saw, then exit 0.
[[noreturn]] void report(const std::function<std::string()>& body) {
  const std::string text = "[" + body() + "]";
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
  std::exit(0);
}

// A POSIX extended regular expression matching `text` literally.
std::string literally(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// Runs body in a new process and expects it to report exactly `expected`.
#define EXPECT_IN_NEW_PROCESS(body, expected) \
  EXPECT_EXIT(report(body), ::testing::ExitedWithCode(0), literally("[" + std::string(expected) + "]"))

// sgemm calls of every kind: a small one for a kernel that never threads,
// and large ones for threaded kernels, on the packed and (AVX-512) small
// paths. Each throws or completes; the results are not the point here.
void small_naive() {
  std::vector<float> a(16, 1.0f), b(16, 1.0f), c(16);
  sgemm(Kernel::naive, 4, 4, 4, 1.0f, a.data(), 4, b.data(), 4, 0.0f, c.data(), 4);
}
void large(Kernel k, int m, int n, int kk) {
  std::vector<float> a(static_cast<std::size_t>(m) * kk, 0.5f), b(static_cast<std::size_t>(kk) * n, 0.25f),
      c(static_cast<std::size_t>(m) * n);
  sgemm(k, m, n, kk, 1.0f, a.data(), kk, b.data(), n, 0.0f, c.data(), n);
}

// The pieces, in order, separated by " | ".
std::string joined(std::initializer_list<std::string> pieces) {
  std::string out;
  for (const std::string& p : pieces) out.append(out.empty() ? "" : " | ").append(p);
  return out;
}
std::string six_times(const std::string& o) { return joined({o, o, o, o, o, o}); }

// What every entry point says, joined: each must give the same outcome. (A
// braced list is evaluated in order, so these calls run first to last.)
std::string every_entry_point() {
  return joined({
      outcome(small_naive),
      outcome([] { large(Kernel::blocked, 300, 300, 300); }),
      outcome([] { large(Kernel::simd, 512, 512, 512); }),
      outcome([] { large(Kernel::simd, 40, 900, 480); }),  // AVX-512's small path, where it runs
      outcome([] { static_cast<void>(num_threads()); }),
      outcome(check_settings),
  });
}

const std::string thread_rule =
    ": expected a whole number from 1 to 1024 written with decimal digits only (no sign, no spaces), or unset for 1";
const std::string isa_rule =
    " (valid entries: avx512, avx2, fma, neon, avx512bf16, amx; separate them with commas, no spaces)";

// Whether this test binary can be started again from inside itself. Not
// under qemu user-mode emulation without binfmt_misc (make test-arm64): the
// kernel cannot run an aarch64 file, and the shell says so with status 126.
bool can_restart_this_binary() {
  static const bool can = [] {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return false;
    const std::string probe = "'" + self.string() + "' --gtest_list_tests --gtest_filter=none >/dev/null 2>&1";
    return std::system(probe.c_str()) == 0;
  }();
  return can;
}

class Settings : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!can_restart_this_binary()) GTEST_SKIP() << "cannot start this test binary again here (an emulator?)";
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

// ---- GEMMLAB_NUM_THREADS ------------------------------------------------------------

TEST_F(Settings, InvalidThreadCountFailsEveryCallTheSameWay) {
  ScopedEnv isa("GEMMLAB_DISABLE_ISA", std::nullopt);
  // Each value and how the message shows it.
  const std::pair<std::string, std::string> values[] = {
      {"abc", "abc"},
      {"0", "0"},
      {"-1", "-1"},
      {"+2", "+2"},
      {" 2", " 2"},
      {"2 ", "2 "},
      {"1025", "1025"},
      {"2.0", "2.0"},
      {"0x2", "0x2"},
      {"00", "00"},
      {"\t2", "\\x092"},
      {"2\n", "2\\x0a"},
      {"99999999999999999999", "99999999999999999999"},
  };
  for (const auto& [value, shown] : values) {
    SCOPED_TRACE("GEMMLAB_NUM_THREADS='" + value + "'");
    ScopedEnv threads("GEMMLAB_NUM_THREADS", value);
    const std::string e =
        std::string("invalid_argument: GEMMLAB_NUM_THREADS='").append(shown).append("'").append(thread_rule);
    EXPECT_IN_NEW_PROCESS(every_entry_point, six_times(e));
  }
}

TEST_F(Settings, ValidThreadCountsAreRead) {
  ScopedEnv isa("GEMMLAB_DISABLE_ISA", std::nullopt);
  const std::pair<std::optional<std::string>, int> values[] = {
      {"1", 1}, {"2", 2}, {"02", 2}, {"1024", 1024}, {"", 1}, {std::nullopt, 1},
  };
  for (const auto& [value, count] : values) {
    SCOPED_TRACE("GEMMLAB_NUM_THREADS=" + value.value_or("(unset)"));
    ScopedEnv threads("GEMMLAB_NUM_THREADS", value);
    EXPECT_IN_NEW_PROCESS(
        [] {
          std::string seen = outcome(small_naive);
          seen += " " + std::to_string(num_threads());
          return seen + " " + outcome(check_settings);
        },
        "ok " + std::to_string(count) + " ok");
  }
}

TEST_F(Settings, SetNumThreadsReplacesAnInvalidThreadCount) {
  ScopedEnv isa("GEMMLAB_DISABLE_ISA", std::nullopt);
  ScopedEnv threads("GEMMLAB_NUM_THREADS", "abc");
  EXPECT_IN_NEW_PROCESS(
      [] {
        std::string seen = outcome([] { set_num_threads(2); });
        seen += " " + std::to_string(num_threads());
        // A threaded call, checked against the double-precision reference.
        const testing::CaseResult r = testing::run_case(Kernel::blocked, {256, 256, 256, 1.0f, 0.0f, 0, 0, 0});
        seen += r.failures == 0 && r.guard_hits == 0 ? " right" : " wrong";
        return seen + " " + every_entry_point();
      },
      "ok 2 right " + six_times("ok"));
}

// ---- GEMMLAB_DISABLE_ISA --------------------------------------------------------------

TEST_F(Settings, InvalidDisableIsaFailsEveryCallTheSameWay) {
  ScopedEnv threads("GEMMLAB_NUM_THREADS", std::nullopt);
  const std::pair<std::string, std::string> values[] = {
      {"sse9", "unknown entry 'sse9'"},
      {"avx512,sse9", "unknown entry 'sse9'"},
      {"AVX2", "unknown entry 'AVX2'"},
      {"avx2 ", "unknown entry 'avx2 '"},
      {" avx2", "unknown entry ' avx2'"},
      {"avx-512", "unknown entry 'avx-512'"},
      {"avx512;avx2", "unknown entry 'avx512;avx2'"},
      {"avx512,", "entry 2 is empty"},
      {",avx2", "entry 1 is empty"},
      {"avx512,,avx2", "entry 2 is empty"},
      {",", "entry 1 is empty"},
  };
  for (const auto& [value, what] : values) {
    SCOPED_TRACE("GEMMLAB_DISABLE_ISA='" + value + "'");
    ScopedEnv isa("GEMMLAB_DISABLE_ISA", value);
    // Every entry point but num_threads(), which is about threads alone.
    const std::string e = std::string("invalid_argument: GEMMLAB_DISABLE_ISA='")
                              .append(value)
                              .append("': ")
                              .append(what)
                              .append(isa_rule);
    EXPECT_IN_NEW_PROCESS(
        [] {
          return joined({every_entry_point(), outcome([] { cpu_features(); })});
        },
        joined({e, e, e, e, "ok", e, e}));
  }
}

#if defined(__x86_64__)
TEST_F(Settings, DisableIsaHidesWhatItNamesAndNothingElse) {
  ScopedEnv threads("GEMMLAB_NUM_THREADS", std::nullopt);
  struct Case {
    std::optional<std::string> value;
    bool avx2 = false, fma = false, avx512 = false;  // hidden
  };
  const Case cases[] = {
      {std::nullopt, false, false, false}, {"", false, false, false},
      {"avx512", false, false, true},      {"avx512,avx2", true, false, true},
      {"fma", false, true, false},         {"neon", false, false, false},  // valid everywhere; hides nothing on x86-64
      {"avx2,avx2", true, false, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("GEMMLAB_DISABLE_ISA=" + c.value.value_or("(unset)"));
    ScopedEnv isa("GEMMLAB_DISABLE_ISA", c.value);
    // In the new process: cpu_features() against what the CPU reports there
    // (asked directly: under valgrind this process sees another CPU), less
    // what the variable hides.
    EXPECT_IN_NEW_PROCESS(
        [&c] {
          __builtin_cpu_init();
          auto text = [](bool avx2, bool fma, bool avx512) {
            return std::string("avx2=") + (avx2 ? "1" : "0") + " fma=" + (fma ? "1" : "0") +
                   " avx512=" + (avx512 ? "1" : "0");
          };
          const bool avx512 = __builtin_cpu_supports("avx512f") != 0 || __builtin_cpu_supports("avx512vl") != 0 ||
                              __builtin_cpu_supports("avx512bw") != 0 || __builtin_cpu_supports("avx512dq") != 0;
          const std::string want = text(__builtin_cpu_supports("avx2") != 0 && !c.avx2,
                                        __builtin_cpu_supports("fma") != 0 && !c.fma, avx512 && !c.avx512);
          const CpuFeatures& f = cpu_features();
          const std::string got = text(f.avx2, f.fma, f.avx512f || f.avx512vl || f.avx512bw || f.avx512dq);
          std::string seen =
              got == want ? "as expected" : std::string("got ").append(got).append(", expected ").append(want);
          return seen.append(" disabled=").append(f.disabled);
        },
        "as expected disabled=" + c.value.value_or(""));
  }
}
#endif

// ---- gemmlab kernels ------------------------------------------------------------------

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs the built `gemmlab kernels` with the given assignments and none of
// the settings' variables set otherwise.
CliRun kernels_with(const std::string& assignment, const std::string& options = "") {
  static int runs = 0;
  const auto dir = std::filesystem::temp_directory_path();
  const std::string tag = std::to_string(getpid()) + "-" + std::to_string(++runs);
  const auto out = dir / ("gemmlab-settings-out-" + tag), err = dir / ("gemmlab-settings-err-" + tag);
  // The shell runs the CLI itself (not through env(1), which would hand a
  // file it cannot execute to sh as a script), so a binary this machine
  // cannot run gives status 126.
  const std::string command = "unset GEMMLAB_NUM_THREADS GEMMLAB_DISABLE_ISA GEMMLAB_BLOCKING GEMMLAB_TUNING_FILE; " +
                              assignment + " '" + GEMMLAB_CLI_PATH + "' kernels " + options + " >'" + out.string() +
                              "' 2>'" + err.string() + "'";
  const int status = std::system(command.c_str());
  CliRun r;
  r.exit_code = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

// The shell's status when it cannot run the CLI (a cross-compiled binary).
#define SKIP_IF_CLI_CANNOT_RUN(r)                                                    \
  do {                                                                               \
    if ((r).exit_code == 126 || (r).exit_code == 127)                                \
      GTEST_SKIP() << "cannot execute " << GEMMLAB_CLI_PATH << " here: " << (r).err; \
  } while (0)

TEST(SettingsCli, KernelsWithAnInvalidThreadCountPrintsOnlyTheError) {
  const CliRun r = kernels_with("GEMMLAB_NUM_THREADS=abc");
  SKIP_IF_CLI_CANNOT_RUN(r);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "") << "output before the error";
  EXPECT_EQ(r.err, "gemmlab: GEMMLAB_NUM_THREADS='abc'" + thread_rule + "\n");
}

TEST(SettingsCli, KernelsWithAnUnknownIsaEntryPrintsOnlyTheError) {
  const CliRun r = kernels_with("GEMMLAB_DISABLE_ISA=avx512,sse9");
  SKIP_IF_CLI_CANNOT_RUN(r);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "") << "output before the error";
  EXPECT_EQ(r.err, "gemmlab: GEMMLAB_DISABLE_ISA='avx512,sse9': unknown entry 'sse9'" + isa_rule + "\n");
}

TEST(SettingsCli, KernelsShowsValidSettings) {
  const CliRun r = kernels_with("GEMMLAB_DISABLE_ISA=avx2 GEMMLAB_NUM_THREADS=3");
  SKIP_IF_CLI_CANNOT_RUN(r);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("\nhidden by GEMMLAB_DISABLE_ISA: avx2\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nthreads:  3 per call"), std::string::npos) << r.out;
}

TEST(SettingsCli, KernelsWithAnInvalidBlockingPrintsOnlyTheError) {
  const CliRun r = kernels_with("GEMMLAB_BLOCKING=kc=0,mc=96");
  SKIP_IF_CLI_CANNOT_RUN(r);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "") << "output before the error";
  EXPECT_NE(r.err.find("gemmlab: GEMMLAB_BLOCKING='kc=0,mc=96': kc = 0 is outside 1..16384"), std::string::npos)
      << r.err;
}

// --verbose shows the block sizes a packed kernel runs with; an override
// reaches them, rounded up to the tile (MC to a multiple of MR, NC of NR).
TEST(SettingsCli, KernelsVerboseShowsTheBlockingInUseAndTheOverride) {
  const CliRun plain = kernels_with("", "--verbose");
  SKIP_IF_CLI_CANNOT_RUN(plain);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(plain.out.find("\ncaches ("), std::string::npos) << plain.out;
  EXPECT_NE(plain.out.find("\nblocked:\n  micro-kernel portable"), std::string::npos) << plain.out;
  // By default the model's sizes run (whatever they are on this machine's caches) ...
  EXPECT_NE(plain.out.find("\n  the model, from the caches ("), std::string::npos) << plain.out;
  EXPECT_NE(plain.out.find(") (in use):\n"), std::string::npos) << plain.out;
  EXPECT_EQ(plain.out.find("NC 4096 (in use)"), std::string::npos) << plain.out;
  EXPECT_NE(plain.out.find("\n  crossovers (measured constants): threads from 2 x 160^3 flops on the packed path"),
            std::string::npos)
      << plain.out;
  // ... and GEMMLAB_BLOCKING=constants runs the micro-kernels' own.
  const CliRun constants = kernels_with("GEMMLAB_BLOCKING=constants", "--verbose");
  ASSERT_EQ(constants.exit_code, 0) << constants.err;
  EXPECT_NE(
      constants.out.find("(4 x 16): runs with KC 512, MC 128, NC 4096\n  constants: KC 512, MC 128, NC 4096 (in use)"),
      std::string::npos)
      << constants.out;

  const CliRun set = kernels_with("GEMMLAB_BLOCKING=kc=40,mc=5,nc=17", "--verbose");
  ASSERT_EQ(set.exit_code, 0) << set.err;
  // blocked's tile is 4 x 16: MC 5 -> 8, NC 17 -> 32.
  EXPECT_NE(set.out.find("(4 x 16): runs with KC 40, MC 8, NC 32\n"), std::string::npos) << set.out;
}

// ---- GEMMLAB_TUNING_FILE --------------------------------------------------------------

// A file of this process in the temporary directory, removed at the end.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& text)
      : path_(std::filesystem::temp_directory_path() / ("gemmlab-settings-" + std::to_string(getpid()) + "-" + name)) {
    std::ofstream(path_, std::ios::binary) << text;
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  TempFile(TempFile&&) = delete;
  TempFile& operator=(TempFile&&) = delete;
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// blocked's micro-kernel (portable_4x16, or its AVX2 build where the CPU
// has AVX2): the one kernel every build has.
std::string blocked_micro() { return std::string(kernel_micro_kernel(Kernel::blocked)); }

// kernels_with runs the CLI without the caller's GEMMLAB_DISABLE_ISA; a test
// that names blocked_micro() (which this process's setting decides: under
// GEMMLAB_DISABLE_ISA=avx2 blocked runs the baseline copy) passes the same
// setting on, so the CLI runs the same micro-kernel.
std::string same_isa_setting() {
  const char* hidden = std::getenv("GEMMLAB_DISABLE_ISA");
  return hidden != nullptr && *hidden != '\0' ? "GEMMLAB_DISABLE_ISA='" + std::string(hidden) + "' " : "";
}

TEST(SettingsCli, KernelsVerboseShowsATuningFilesSizes) {
  const TempFile file("tuned.txt", "# tuned\nmicro-kernel " + blocked_micro() + " nc=20 kc=40 mc=6\n");
  const CliRun r = kernels_with(same_isa_setting() + "GEMMLAB_TUNING_FILE='" + file.path() + "'", "--verbose");
  SKIP_IF_CLI_CANNOT_RUN(r);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  // blocked's tile is 4 x 16: MC 6 -> 8, NC 20 -> 32.
  EXPECT_NE(r.out.find("\nblocked:\n  micro-kernel " + blocked_micro() + " (4 x 16): runs with KC 40, MC 8, NC 32\n" +
                       "  constants: KC 512, MC 128, NC 4096\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  GEMMLAB_TUNING_FILE='" + file.path() +
                       "', line 2: KC 40, MC 8, NC 32 (in use; the file's MC 6 rounded up to a multiple of MR = 4; "
                       "the file's NC 20 rounded up to a multiple of NR = 16)\n"),
            std::string::npos)
      << r.out;
}

TEST(SettingsCli, BlockingAppliesOnTopOfATuningFile) {
  const TempFile file("tuned-under.txt", "micro-kernel " + blocked_micro() + " kc=40 mc=8 nc=32\n");
  const CliRun r = kernels_with(same_isa_setting() + "GEMMLAB_BLOCKING=kc=64 GEMMLAB_TUNING_FILE='" + file.path() + "'",
                                "--verbose");
  SKIP_IF_CLI_CANNOT_RUN(r);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(4 x 16): runs with KC 64, MC 8, NC 32\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("line 1: KC 40, MC 8, NC 32 (in use)\n  GEMMLAB_BLOCKING=kc=64 sets KC 64, MC 8, NC 32"),
            std::string::npos)
      << r.out;
  // And GEMMLAB_BLOCKING=constants does not replace the file's sizes.
  const CliRun m = kernels_with(
      same_isa_setting() + "GEMMLAB_BLOCKING=constants GEMMLAB_TUNING_FILE='" + file.path() + "'", "--verbose");
  ASSERT_EQ(m.exit_code, 0) << m.err;
  EXPECT_NE(m.out.find("(4 x 16): runs with KC 40, MC 8, NC 32\n"), std::string::npos) << m.out;
}

TEST(SettingsCli, KernelsWithAMalformedTuningFilePrintsOnlyTheError) {
  const TempFile file("malformed.txt", "# ok\n\nmicro-kernel " + blocked_micro() + " kc=x mc=8 nc=32\n");
  const CliRun r = kernels_with("GEMMLAB_TUNING_FILE='" + file.path() + "'");
  SKIP_IF_CLI_CANNOT_RUN(r);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "") << "output before the error";
  EXPECT_EQ(r.err, "gemmlab: GEMMLAB_TUNING_FILE='" + file.path() +
                       "', line 3: kc = 'x' is not a decimal number (the line: 'micro-kernel " + blocked_micro() +
                       " kc=x mc=8 nc=32')\n");

  const std::string absent = file.path() + ".absent";
  const CliRun missing = kernels_with("GEMMLAB_TUNING_FILE='" + absent + "'", "--verbose");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.out, "");
  EXPECT_EQ(missing.err, "gemmlab: GEMMLAB_TUNING_FILE='" + absent + "': cannot read it: No such file or directory\n");
}

TEST_F(Settings, InvalidTuningFileFailsEveryCallTheSameWay) {
  ScopedEnv threads("GEMMLAB_NUM_THREADS", std::nullopt);
  ScopedEnv isa("GEMMLAB_DISABLE_ISA", std::nullopt);
  ScopedEnv blocking("GEMMLAB_BLOCKING", std::nullopt);
  const TempFile file("every-call.txt", "micro-kernel nope_1x1 kc=8 mc=8 nc=8\n");
  ScopedEnv tuning("GEMMLAB_TUNING_FILE", file.path());
  const std::string e = "invalid_argument: GEMMLAB_TUNING_FILE='FILE', line 1: unknown micro-kernel 'nope_1x1'";
  // Every entry point but num_threads(), which is about threads alone; and
  // the entry point with explicit blocks. The new process makes its own
  // file (its name has that process's id), shown here as FILE; the message
  // goes on to list this build's micro-kernels: each outcome is cut there.
  EXPECT_IN_NEW_PROCESS(
      [&file] {
        std::string seen = joined({every_entry_point(), outcome([] {
                                     std::vector<float> a(16, 1.0f), b(16, 1.0f), c(16);
                                     sgemm_with_blocks(Kernel::blocked, {.kc = 8, .mc = 8, .nc = 8}, 4, 4, 4, 1.0f,
                                                       a.data(), 4, b.data(), 4, 0.0f, c.data(), 4);
                                   })});
        std::string cut;
        for (std::size_t start = 0; start <= seen.size();) {
          std::size_t end = seen.find(" | ", start);
          if (end == std::string::npos) end = seen.size();
          const std::string piece = seen.substr(start, end - start);
          cut.append(cut.empty() ? "" : " | ").append(piece.substr(0, piece.find(" (this build's")));
          start = end + 3;
        }
        for (std::size_t at = cut.find(file.path()); at != std::string::npos; at = cut.find(file.path()))
          cut.replace(at, file.path().size(), "FILE");
        // The new process ends in std::exit, which runs no destructor of
        // this scope: its file goes here.
        std::filesystem::remove(file.path());
        return cut;
      },
      joined({e, e, e, e, "ok", e, e}));
}

}  // namespace
}  // namespace gemmlab
