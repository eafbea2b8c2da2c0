// Tuning files (the reader, on text given here; the writer, read back), the
// entry point that runs the five loops with explicit block sizes (against
// the double-precision reference), the tuner's grid (against points derived
// by hand) and `gemmlab tune` in process.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "cli/cli.hpp"
#include "gemm/blocking.hpp"
#include "gemm/kernels.hpp"
#include "gemmlab/gemm.hpp"
#include "test_util.hpp"

namespace gemmlab {
namespace {

namespace fs = std::filesystem;
using detail::MicroKernel;
using detail::parse_tuning_file;
using detail::TuningEntry;

// Two micro-kernels of no build, so the reader's tests do not depend on
// which ones this one has.
MicroKernel fake(const char* name, int mr, int nr) {
  MicroKernel mk;
  mk.name = name;
  mk.mr = mr;
  mk.nr = nr;
  mk.blocking = {.mc = mr * 4, .kc = 64, .nc = nr * 4};
  return mk;
}
const MicroKernel alpha = fake("alpha_2x8", 2, 8), beta = fake("beta_4x4", 4, 4);
const MicroKernel* const fakes[] = {&alpha, &beta};
const char* const source = "GEMMLAB_TUNING_FILE='t.txt'";

std::vector<TuningEntry> parse(std::string_view text) { return parse_tuning_file(text, source, fakes); }

// ---- the reader -------------------------------------------------------------------

TEST(TuningFile, ReadsCommentsBlankLinesAndFieldsInAnyOrder) {
  const std::string text =
      "# a comment\n"
      "\n"
      "   \t\n"
      "  # an indented comment, with = and micro-kernel in it\n"
      "micro-kernel beta_4x4 nc=100 kc=7 mc=9\r\n"
      "\tmicro-kernel \t alpha_2x8   mc=16\tkc=512 nc=4096   \n"
      "#last line, no newline";
  const std::vector<TuningEntry> e = parse(text);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].micro, &beta);
  EXPECT_EQ(e[0].line, 5);
  EXPECT_EQ(e[0].blocking.kc, 7);
  EXPECT_EQ(e[0].blocking.mc, 9) << "as the file gives it: rounding is the caller's";
  EXPECT_EQ(e[0].blocking.nc, 100);
  EXPECT_EQ(e[1].micro, &alpha);
  EXPECT_EQ(e[1].line, 6);
  EXPECT_EQ(e[1].blocking.kc, 512);
  EXPECT_EQ(e[1].blocking.mc, 16);
  EXPECT_EQ(e[1].blocking.nc, 4096);
}

TEST(TuningFile, AnEmptyOrCommentOnlyFileHasNoEntries) {
  EXPECT_TRUE(parse("").empty());
  EXPECT_TRUE(parse("\n\n# nothing\n").empty());
  const std::string last = "micro-kernel alpha_2x8 kc=1 mc=1 nc=1";  // no final newline
  ASSERT_EQ(parse(last).size(), 1u);
  EXPECT_EQ(parse(last)[0].blocking.nc, 1);
}

TEST(TuningFile, RejectsEachKindOfMalformedLineNamingTheLineAndTheProblem) {
  struct Case {
    std::string text;
    int line;
    std::string problem;
  };
  const std::string ok = "micro-kernel alpha_2x8 kc=8 mc=8 nc=8\n";
  const Case cases[] = {
      {"micro-kernel gamma_1x1 kc=1 mc=1 nc=1", 1,
       "unknown micro-kernel 'gamma_1x1' (this build's float micro-kernels: alpha_2x8, beta_4x4)"},
      {"# ok\n\nmicro-kernel alpha_2x8 kc=abc mc=1 nc=1\n", 3, "kc = 'abc' is not a decimal number"},
      {"micro-kernel alpha_2x8 kc=-4 mc=1 nc=1", 1, "kc = '-4' is not a decimal number"},
      {"micro-kernel alpha_2x8 kc=+4 mc=1 nc=1", 1, "kc = '+4' is not a decimal number"},
      {"micro-kernel alpha_2x8 kc=4.5 mc=1 nc=1", 1, "kc = '4.5' is not a decimal number"},
      {"micro-kernel alpha_2x8 kc= mc=1 nc=1", 1, "kc = '' is not a decimal number"},
      {"micro-kernel alpha_2x8 kc=99999999999999999999 mc=1 nc=1", 1, "is not a decimal number"},
      {ok + "micro-kernel beta_4x4 kc=8 mc=8", 2, "nc= is missing (a line gives kc=, mc= and nc=)"},
      {"micro-kernel beta_4x4 mc=8 nc=8", 1, "kc= is missing"},
      {ok + "#\n" + ok, 3, "micro-kernel 'alpha_2x8' is given twice (also on line 1)"},
      {"micro-kernel alpha_2x8 kc=8 kc=16 mc=8 nc=8", 1, "kc is given twice"},
      {"micro-kernel alpha_2x8 kc=0 mc=8 nc=8", 1, "kc = 0 is outside 1..16384"},
      {"micro-kernel alpha_2x8 kc=16385 mc=8 nc=8", 1, "kc = 16385 is outside 1..16384"},
      {"micro-kernel alpha_2x8 kc=8 mc=65537 nc=8", 1, "mc = 65537 is outside 1..65536"},
      {"micro-kernel alpha_2x8 kc=8 mc=8 nc=1048577", 1, "nc = 1048577 is outside 1..1048576"},
      {"micro-kernel alpha_2x8 kc=16384 mc=8 nc=65536", 1, "a packed block of kc x nc or mc x kc floats over 1 GiB"},
      {"micro-kernel alpha_2x8 kc=8 mc=8 nc=8 xc=4", 1, "unknown field 'xc=4' (the fields: kc=N, mc=N, nc=N)"},
      {"micro-kernel alpha_2x8 kc=8 mc=8 nc=8 # late", 1, "unknown field '#'"},
      {"micro-kernel alpha_2x8 KC=8 mc=8 nc=8", 1, "unknown field 'KC=8'"},
      {"micro-kernel alpha_2x8 kc 8 mc=8 nc=8", 1, "unknown field 'kc'"},
      {"micro-kernel", 1, "the micro-kernel's name is missing"},
      {"micro-kernel\t  \n", 1, "the micro-kernel's name is missing"},
      {ok + "kernel alpha_2x8 kc=8 mc=8 nc=8", 2,
       "expected 'micro-kernel NAME kc=N mc=N nc=N' or a # comment, found 'kernel'"},
      {"micro_kernel alpha_2x8 kc=8 mc=8 nc=8", 1, "found 'micro_kernel'"},
      {ok + "# " + std::string(300, 'x') + "\n", 2, "longer than 256 bytes"},
      {"micro-kernel alpha_2x8 kc=8 mc=8 nc=8\x01", 1, "byte '\\x01' at column 38 is not printable ASCII or a tab"},
      {"# caf\xc3\xa9\n", 1, "byte '\\xc3' at column 6 is not printable ASCII or a tab"},
      {ok + std::string("micro-kernel \0alpha", 19), 2, "byte '\\x00' at column 14"},
      {"micro-kernel alpha_2x8 kc=8 mc=8 nc=8\r\r\n", 1, "byte '\\x0d' at column 38"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(c.text));
    try {
      parse(c.text);
      ADD_FAILURE() << "accepted";
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      const std::string head = std::string(source) + ", line " + std::to_string(c.line) + ": ";
      EXPECT_EQ(what.rfind(head, 0), 0u) << what;
      EXPECT_NE(what.find(c.problem), std::string::npos) << what;
      EXPECT_NE(what.find(" (the line: '"), std::string::npos) << what;
    }
  }
}

TEST(TuningFile, AMessageQuotesTheLineEscapedAndShortened) {
  try {
    parse("micro-kernel alpha_2x8 kc=x\tmc=8 nc=8");
    ADD_FAILURE() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              "GEMMLAB_TUNING_FILE='t.txt', line 1: kc = 'x' is not a decimal number (the line: "
              "'micro-kernel alpha_2x8 kc=x\\x09mc=8 nc=8')");
  }
  try {
    parse(std::string(200, 'y'));
    ADD_FAILURE() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("(the line: '" + std::string(80, 'y') + "'...)"), std::string::npos)
        << e.what();
  }
}

// ---- the file ---------------------------------------------------------------------------

// A new, empty directory of this process, one per test; removed at the end.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& test)
      : path_(fs::temp_directory_path() / ("gemmlab-tuning-" + std::to_string(getpid()) + "-" + test)) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ScratchDir(ScratchDir&&) = delete;
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  fs::path operator/(const std::string& name) const { return path_ / name; }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(TuningFile, ReadsAFileAndNamesOneItCannotRead) {
  const ScratchDir dir("read");
  const fs::path p = dir / "read.txt";
  const std::string text = "# x\nmicro-kernel beta_4x4 kc=8 mc=8 nc=8\n";
  std::ofstream(p, std::ios::binary) << text;
  EXPECT_EQ(detail::read_tuning_file(p.string(), "S"), text);

  const auto error_of = [](const std::string& path) {
    try {
      detail::read_tuning_file(path, "S");
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(error_of((dir / "absent.txt").string()), "S: cannot read it: No such file or directory");
  EXPECT_EQ(error_of(dir.path().string()), "S: cannot read it: Is a directory");
  const fs::path big = dir / "big.txt";
  std::ofstream(big, std::ios::binary) << std::string(detail::kMaxTuningFileBytes + 1, '\n');
  EXPECT_EQ(error_of(big.string()),
            "S: cannot read it: it is larger than 1 MiB (a tuning file has one short line per micro-kernel)");
  std::ofstream(big, std::ios::binary) << std::string(detail::kMaxTuningFileBytes, '\n');
  EXPECT_EQ(error_of(big.string()), "accepted") << "exactly the limit";
}

// ---- the writer, read back ----------------------------------------------------------------

TEST(TuningFileText, ReadBackGivesTheSameSizes) {
  const auto known = detail::micro_kernels();
  ASSERT_FALSE(known.empty());
  std::vector<TunedBlocks> entries;
  int n = 1;
  for (const MicroKernel* mk : known) {
    entries.push_back({mk->name, {.kc = 100 + n, .mc = 7 * n, .nc = 1000 + 3 * n}});
    ++n;
  }
  const std::string text = tuning_file_text(entries, "measured here\n\nsecond line");
  const std::vector<TuningEntry> back = parse_tuning_file(text, "the writer's", known);
  ASSERT_EQ(back.size(), entries.size()) << text;
  for (std::size_t i = 0; i < back.size(); ++i) {
    EXPECT_EQ(std::string(back[i].micro->name), entries[i].micro_kernel);
    EXPECT_EQ(back[i].blocking.kc, entries[i].blocks.kc);
    EXPECT_EQ(back[i].blocking.mc, entries[i].blocks.mc);
    EXPECT_EQ(back[i].blocking.nc, entries[i].blocks.nc);
  }
  EXPECT_NE(text.find("\n# measured here\n#\n# second line\n"), std::string::npos) << text;
  EXPECT_EQ(text.rfind("# gemmlab tuning file", 0), 0u) << text;
  EXPECT_TRUE(parse_tuning_file(tuning_file_text({}), "empty", known).empty());
}

TEST(TuningFileText, RefusesWhatTheReaderWouldRefuse) {
  const std::string name = detail::micro_kernels()[0]->name;
  const auto error_of = [](const std::vector<TunedBlocks>& entries, std::string_view comment = {}) {
    try {
      tuning_file_text(entries, comment);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  const BlockSizes fine{.kc = 8, .mc = 8, .nc = 8};
  EXPECT_NE(error_of({{"nope_1x1", fine}}).find("tuning_file_text: entry 1: unknown micro-kernel 'nope_1x1'"),
            std::string::npos);
  EXPECT_NE(error_of({{name + " kc=1", fine}}).find("unknown micro-kernel"), std::string::npos);
  EXPECT_NE(error_of({{name, fine}, {name, fine}}).find("entry 2: micro-kernel '" + name + "' is given twice"),
            std::string::npos);
  EXPECT_NE(error_of({{name, {.kc = 0, .mc = 8, .nc = 8}}}).find("entry 1: kc = 0 is outside 1..16384"),
            std::string::npos);
  EXPECT_NE(error_of({{name, {.kc = 8, .mc = 8, .nc = 2000000}}}).find("nc = 2000000 is outside"), std::string::npos);
  EXPECT_NE(error_of({{name, fine}}, "bell \x07").find("the comment's byte '\\x07'"), std::string::npos);
  EXPECT_NE(error_of({{name, fine}}, std::string(300, 'c')).find("longer than 256 bytes"), std::string::npos);
  EXPECT_EQ(error_of({{name, fine}}, "fine\tcomment"), "accepted");
}

// ---- sgemm_with_blocks --------------------------------------------------------------------

// The packed float kernels that run here (simd is one of them, by another name).
std::vector<Kernel> packed_kernels() {
  std::vector<Kernel> out;
  for (const Kernel k : available_kernels())
    if (k != Kernel::simd && !kernel_blocking(k).micro_kernel.empty()) out.push_back(k);
  return out;
}

TEST(SgemmWithBlocks, OddBlockSizesComputeTheRightResult) {
  const testing::ThreadCountGuard restore;
  set_num_threads(2);  // it runs on the calling thread whatever this says
  const std::vector<Kernel> kernels = packed_kernels();
  ASSERT_FALSE(kernels.empty());
  for (const Kernel k : kernels) {
    const KernelBlocking kb = kernel_blocking(k);
    // Blocks that cut every loop at an odd place: KC 7 leaves a partial
    // last slice, MC = MR + 1 (rounded up to 2 MR) and NC = NR cut the
    // edges of A and B into several blocks; sizes of 1 make every block one
    // element deep or wide.
    const BlockSizes blocks[] = {{.kc = 7, .mc = kb.mr + 1, .nc = kb.nr},
                                 {.kc = 1, .mc = 1, .nc = 1},
                                 {.kc = 13, .mc = 3 * kb.mr, .nc = 2 * kb.nr + 1},
                                 {.kc = 16384, .mc = 16384, .nc = 16384}};
    for (const BlockSizes& b : blocks) {
      for (const testing::GemmCase& c : {testing::GemmCase{.M = 37,
                                        .N = 45,
                                        .K = 29,
                                        .alpha = 1.5f,
                                        .beta = -0.5f,
                                        .pad_a = 3,
                                        .pad_b = 1,
                                        .pad_c = 2,
                                        .seed = 11},
                                         testing::GemmCase{.M = 2 * kb.mr + 3, .N = 3 * kb.nr - 1, .K = 64, .seed = 12},
                                         testing::GemmCase{.M = 1, .N = 1, .K = 15, .beta = 2.0f, .seed = 13}}) {
        const testing::CaseResult r = testing::run_case_with(
            c, [&](int M, int N, int K, float al, const float* A, int lda, const float* B, int ldb, float be, float* C,
                   int ldc) { sgemm_with_blocks(k, b, M, N, K, al, A, lda, B, ldb, be, C, ldc); });
        const std::string what = std::string(kernel_name(k)) + " kc=" + std::to_string(b.kc) +
                                 " mc=" + std::to_string(b.mc) + " nc=" + std::to_string(b.nc) + ": " + c.describe();
        EXPECT_EQ(r.failures, 0) << what << ": " << r.first_failure;
        EXPECT_EQ(r.guard_hits, 0) << what << ": wrote outside C";
        const GemmCallInfo info = last_gemm_call();
        EXPECT_EQ(info.path, "packed") << what;
        EXPECT_EQ(info.parts, 1) << what;
        EXPECT_EQ(info.kernel, k) << what;
      }
    }
  }
}

TEST(SgemmWithBlocks, RefusesBadBlocksAndKernelsWithoutThem) {
  std::vector<float> a(16, 1.0f), b(16, 1.0f), c(16);
  const auto error_of = [&](Kernel k, BlockSizes blocks, int M = 4) {
    try {
      sgemm_with_blocks(k, blocks, M, 4, 4, 1.0f, a.data(), 4, b.data(), 4, 0.0f, c.data(), 4);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  const BlockSizes fine{.kc = 8, .mc = 8, .nc = 8};
  EXPECT_EQ(error_of(Kernel::blocked, fine), "accepted");
  EXPECT_EQ(error_of(Kernel::blocked, {.kc = 0, .mc = 8, .nc = 8}), "sgemm_with_blocks: kc = 0 is outside 1..16384");
  EXPECT_EQ(error_of(Kernel::blocked, {.kc = 8, .mc = -1, .nc = 8}), "sgemm_with_blocks: mc = -1 is outside 1..65536");
  EXPECT_EQ(error_of(Kernel::blocked, {.kc = 8, .mc = 8, .nc = 1048577}),
            "sgemm_with_blocks: nc = 1048577 is outside 1..1048576");
  EXPECT_EQ(error_of(Kernel::blocked, {.kc = 16384, .mc = 65536, .nc = 8}),
            "sgemm_with_blocks: a packed block of kc x nc or mc x kc floats over 1 GiB");
  EXPECT_EQ(error_of(Kernel::naive, fine),
            "sgemm_with_blocks: kernel 'naive' has no cache blocks (it does not run the five-loop driver)");
  EXPECT_NE(error_of(Kernel::bf16_blocked, fine).find("multiplies bf16"), std::string::npos);
  EXPECT_EQ(error_of(Kernel::blocked, fine, -1), "sgemm_with_blocks: negative size M=-1");
}

TEST(KernelBlocking, DescribesPackedKernelsOnly) {
  EXPECT_TRUE(kernel_blocking(Kernel::naive).micro_kernel.empty());
  EXPECT_TRUE(kernel_blocking(Kernel::bf16_blocked).micro_kernel.empty());
  const KernelBlocking kb = kernel_blocking(Kernel::simd);
  EXPECT_EQ(kb.micro_kernel, kernel_micro_kernel(Kernel::simd));
  for (const BlockSizes& b : {kb.constants, kb.model, kb.in_use}) {
    EXPECT_EQ(b.mc % kb.mr, 0);
    EXPECT_EQ(b.nc % kb.nr, 0);
    EXPECT_GT(b.kc, 0);
  }
}

// ---- the tuner's grid ------------------------------------------------------------------------

// The AVX-512 tile on the machine of docs/05-packing.md: constants KC 512,
// MC 84, NC 4096; the model KC 224, MC 504, NC 9344.
KernelBlocking avx512_on_zen5() {
  KernelBlocking kb;
  kb.micro_kernel = "avx512_14x32";
  kb.mr = 14;
  kb.nr = 32;
  kb.constants = {.kc = 512, .mc = 84, .nc = 4096};
  kb.model = {.kc = 224, .mc = 504, .nc = 9344};
  kb.in_use = kb.constants;
  return kb;
}

TEST(TuneGrid, QuickIsTheConstantsAndTheModelsKcAndMc) {
  // The model's A block, 504 x 224 floats, holds 504 * 224 / 512 = 220.5
  // rows at KC 512: 210 as a multiple of 14.
  const std::vector<cli::TunePoint> g = cli::tune_grid(avx512_on_zen5(), true);
  ASSERT_EQ(g.size(), 4u);
  EXPECT_EQ(g[0].blocks, (BlockSizes{.kc = 224, .mc = 84, .nc = 4096}));
  EXPECT_EQ(g[1].blocks, (BlockSizes{.kc = 224, .mc = 504, .nc = 9344}));
  EXPECT_EQ(g[1].origin, "model");
  EXPECT_EQ(g[2].blocks, (BlockSizes{.kc = 512, .mc = 84, .nc = 4096}));
  EXPECT_EQ(g[2].origin, "constants, in use");
  EXPECT_EQ(g[3].blocks, (BlockSizes{.kc = 512, .mc = 210, .nc = 4096}));
  EXPECT_EQ(g[3].origin, "");
}

TEST(TuneGrid, FullGridSurroundsBothChoices) {
  KernelBlocking kb = avx512_on_zen5();
  kb.in_use = {.kc = 300, .mc = 98, .nc = 4096};  // as a tuning file could set
  const std::vector<cli::TunePoint> g = cli::tune_grid(kb, false);
  // KC 128, 192, 224, 256, 384, 512, 768, three MC each, and the point in
  // use.
  EXPECT_GE(g.size(), 15u);
  EXPECT_LE(g.size(), 30u);
  const auto count = [&](const std::string& origin) {
    return std::count_if(g.begin(), g.end(), [&](const cli::TunePoint& p) { return p.origin == origin; });
  };
  EXPECT_EQ(count("constants"), 1);
  EXPECT_EQ(count("model"), 1);
  EXPECT_EQ(count("in use"), 1);
  for (const cli::TunePoint& p : g) {
    EXPECT_EQ(p.blocks.mc % 14, 0) << p.blocks.kc << " " << p.blocks.mc;
    EXPECT_EQ(p.blocks.nc % 32, 0) << p.blocks.kc << " " << p.blocks.mc;
  }
  for (const int kc : {128, 192, 256, 384, 768})
    EXPECT_EQ(std::count_if(g.begin(), g.end(), [&](const cli::TunePoint& p) { return p.blocks.kc == kc; }), 3)
        << "KC " << kc;
  // At KC 768: the constants' 84; the model's 504 * 224 / 768 = 147 rows,
  // 140 as a multiple of 14; between, sqrt(84 * 140) = 108.4, nearest 112.
  for (const int mc : {84, 112, 140})
    EXPECT_EQ(
        std::count_if(g.begin(), g.end(),
                      [&](const cli::TunePoint& p) { return p.blocks == BlockSizes{.kc = 768, .mc = mc, .nc = 4096}; }),
        1)
        << "MC " << mc;
  EXPECT_TRUE(std::is_sorted(g.begin(), g.end(), [](const cli::TunePoint& a, const cli::TunePoint& b) {
    return a.blocks.kc != b.blocks.kc ? a.blocks.kc < b.blocks.kc : a.blocks.mc < b.blocks.mc;
  }));
}

// ---- gemmlab tune, in process -------------------------------------------------------------------

struct TuneRun {
  int code = -1;
  std::string out, err;
};
TuneRun tune(std::vector<std::string> args) {
  args.insert(args.begin(), "tune");
  std::ostringstream out, err;
  TuneRun r;
  r.code = cli::run_main(args, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

TEST(TuneCommand, BadOptionsAreUsageErrors) {
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--sizes", "0"}, "gemmlab: tune: --sizes: '0' is not a size from 1 to 8192 (the form: N,N,...)\n"},
      {{"--sizes", "64,x"}, "gemmlab: tune: --sizes: 'x' is not a size from 1 to 8192 (the form: N,N,...)\n"},
      {{"--sizes", "64,"}, "gemmlab: tune: --sizes: '' is not a size from 1 to 8192 (the form: N,N,...)\n"},
      {{"--sizes", "8193"}, "gemmlab: tune: --sizes: '8193' is not a size from 1 to 8192 (the form: N,N,...)\n"},
      {{"--sizes", "64,64"}, "gemmlab: tune: --sizes: 64 is given twice\n"},
      {{"--rounds", "0"}, "gemmlab: tune: --rounds: '0' is not a count from 1 to 100\n"},
      {{"--rounds", "101"}, "gemmlab: tune: --rounds: '101' is not a count from 1 to 100\n"},
      {{"--rounds"}, "gemmlab: tune: --rounds needs a value (see gemmlab tune --help)\n"},
      {{"--out", ""}, "gemmlab: tune: --out needs a file name\n"},
      {{"--kernel", "naive"},
       "gemmlab: tune: --kernel: 'naive' has no cache blocks to tune (the packed float kernels: blocked, "
       "simd-avx2, simd-avx512, simd-neon, simd)\n"},
      {{"--fast"}, "gemmlab: tune: unknown option '--fast' (see gemmlab tune --help)\n"},
  };
  for (const auto& [args, message] : cases) {
    const TuneRun r = tune(args);
    EXPECT_EQ(r.code, 2) << message;
    EXPECT_EQ(r.err, message);
    EXPECT_EQ(r.out, "");
  }
}

TEST(TuneCommand, QuickRunWritesTheBestItPrints) {
  const ScratchDir dir("quick");
  const fs::path file = dir / "tuned.txt";
  std::ofstream(file) << "an old file, replaced whole\n";
  const TuneRun r =
      tune({"--quick", "--sizes", "40,72", "--rounds", "1", "--kernel", "blocked", "--out", file.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("gemmlab tune: blocked, micro-kernel " + std::string(kernel_micro_kernel(Kernel::blocked))),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("N=40"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("N=72"), std::string::npos) << r.out;

  const std::vector<TuningEntry> e = parse_tuning_file(read_all(file), "the tuner's", detail::micro_kernels());
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(std::string(e[0].micro->name), kernel_micro_kernel(Kernel::blocked));
  const std::string best = "best:      KC " + std::to_string(e[0].blocking.kc) + ", MC " +
                           std::to_string(e[0].blocking.mc) + ", NC " + std::to_string(e[0].blocking.nc) + ": ";
  EXPECT_NE(r.out.find(best), std::string::npos) << "the file has the best point\n" << r.out << read_all(file);
  // Nothing but the file is left in its directory (no temporary file).
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST(TuneCommand, AnOutFileThatCannotBeWrittenFailsBeforeAnyOutput) {
  const ScratchDir dir("unwritable");
  const fs::path file = dir / "absent-dir" / "tuned.txt";
  const TuneRun r = tune({"--quick", "--sizes", "16", "--rounds", "1", "--kernel", "blocked", "--out", file.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "gemmlab: tune: --out: cannot write '" + file.string() + "': cannot create a temporary file in " +
                       file.parent_path().string() + ": No such file or directory\n");
  EXPECT_FALSE(fs::exists(file));
}

}  // namespace
}  // namespace gemmlab
