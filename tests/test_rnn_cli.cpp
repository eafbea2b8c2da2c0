// `gemmlab rnn` with files: run in process through run_main (captured
// streams), and end to end through the built binary. The reference is a
// double-precision forward pass written here, from the same numbers as the
// fixture files in tests/data/rnn_torch (see its README.md).
#include <gtest/gtest.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "gemmlab/matrix_io.hpp"
#include "gemmlab/numerics.hpp"
#include "gemmlab/random.hpp"
#include "gemmlab/rnn.hpp"

#if !defined(GEMMLAB_CLI_PATH) || !defined(GEMMLAB_TEST_DATA_DIR)
#error "the Makefile passes GEMMLAB_CLI_PATH and GEMMLAB_TEST_DATA_DIR to this file"
#endif

namespace gemmlab {
namespace {

namespace fs = std::filesystem;
using Rows = std::vector<std::vector<double>>;

// ---- the fixture's numbers (torch layout: weight_ih is H x I) ---------------------
const Rows weight_ih = {{0.5, -0.25}, {0.1, 0.3}, {-0.7, 0.2}};
const Rows weight_hh = {{0.2, -0.1, 0.05}, {0.3, 0.1, -0.2}, {-0.15, 0.25, 0.1}};
const std::vector<double> bias_ih = {0.1, -0.2, 0.05}, bias_hh = {0.02, 0.03, -0.01};
const Rows h0 = {{0.1, -0.2, 0.3}, {0.0, 0.5, -0.5}};
const std::vector<Rows> xs = {{{1.0, 2.0}, {-1.0, 0.5}}, {{0.5, -1.5}, {2.0, 1.0}}, {{-0.3, 0.8}, {0.0, 0.0}}};

std::string data(const std::string& name) { return std::string(GEMMLAB_TEST_DATA_DIR) + "/rnn_torch/" + name; }

// Every value as the program sees it: the nearest float.
double f(double v) { return static_cast<float>(v); }

// The double-precision forward pass of torch.nn.RNN with those weights (each
// rounded to float first, as the program reads them), and for every output a
// bound on the float computation's error: 2·gamma_{I+H+4} times the absolute
// sum of the pre-activation's terms (the GEMM bound of numerics.hpp, counting
// the projection, the recurrent GEMM, the bias addition and the sum of the two
// biases as extra roundings), the error carried from h_{t-1} through |W_hh|,
// and the activation's error. 9 printed digits add 5e-9 relative.
struct Reference {
  std::vector<Rows> h, bound;  // [t][batch row][neuron]
};

Reference reference(bool relu, bool with_h0) {
  const int I = 2, H = 3, B = 2, T = 3;
  Reference r;
  Rows prev(B, std::vector<double>(H, 0.0)), prev_bound(B, std::vector<double>(H, 0.0));
  if (with_h0)
    for (int i = 0; i < B; ++i)
      for (int j = 0; j < H; ++j) prev[i][j] = f(h0[i][j]);
  for (int t = 0; t < T; ++t) {
    Rows h(B, std::vector<double>(H)), bound(B, std::vector<double>(H));
    for (int i = 0; i < B; ++i)
      for (int j = 0; j < H; ++j) {
        const double b = f(bias_ih[j]) + f(bias_hh[j]);
        double pre = b, abs_sum = std::fabs(f(bias_ih[j])) + std::fabs(f(bias_hh[j])), carried = 0.0;
        for (int p = 0; p < I; ++p) {
          pre += f(xs[t][i][p]) * f(weight_ih[j][p]);
          abs_sum += std::fabs(f(xs[t][i][p]) * f(weight_ih[j][p]));
        }
        for (int p = 0; p < H; ++p) {
          pre += prev[i][p] * f(weight_hh[j][p]);
          abs_sum += (std::fabs(prev[i][p]) + prev_bound[i][p]) * std::fabs(f(weight_hh[j][p]));
          carried += prev_bound[i][p] * std::fabs(f(weight_hh[j][p]));
        }
        h[i][j] = relu ? (pre > 0 ? pre : 0.0) : std::tanh(pre);
        bound[i][j] = gemm_error_bound(I + H + 2, abs_sum) + carried + (relu ? 0.0 : tanh_max_abs_error) +
                      5e-9 * std::fabs(h[i][j]);
      }
    r.h.push_back(h);
    r.bound.push_back(bound);
    prev = h;
    prev_bound = bound;
  }
  return r;
}

// What the program printed, read back independently of gemmlab's reader:
// "# kernel=NAME step=T" lines, then rows of numbers.
struct Block {
  std::string kernel;
  int step = -1;
  Rows rows;
};

std::vector<Block> parse_output(const std::string& text) {
  std::vector<Block> blocks;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# kernel=", 0) == 0) {
      Block b;
      const std::size_t space = line.find(' ', 9);
      b.kernel = line.substr(9, space - 9);
      b.step = std::stoi(line.substr(line.find("step=") + 5));
      blocks.push_back(b);
      continue;
    }
    if (blocks.empty()) ADD_FAILURE() << "a row before any '# kernel=' line: " << line;
    std::istringstream values(line);
    std::vector<double> row;
    std::string token;
    while (values >> token) row.push_back(std::strtod(token.c_str(), nullptr));
    if (!blocks.empty()) blocks.back().rows.push_back(row);
  }
  return blocks;
}

struct CliRun {
  int code;
  std::string out, err;
};

CliRun run(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int code = cli::run_main(args, out, err);
  return {code, out.str(), err.str()};
}

std::vector<std::string> torch_args(const std::string& activation, const std::string& kernel) {
  return {"rnn",
          "--layout",
          "torch",
          "--activation",
          activation,
          "--kernel",
          kernel,
          "--wx",
          data("weight_ih.txt"),
          "--wy",
          data("weight_hh.txt"),
          "--b",
          data("bias_ih.txt"),
          "--b",
          data("bias_hh.txt"),
          "--h0",
          data("h0.txt"),
          "--x",
          data("x0.txt"),
          "--x",
          data("x1.txt"),
          "--x",
          data("x2.txt")};
}

void expect_matches_reference(const std::string& output, const Reference& ref, std::size_t kernels) {
  const std::vector<Block> blocks = parse_output(output);
  ASSERT_EQ(blocks.size(), kernels * 3) << output;
  for (std::size_t k = 0; k < blocks.size(); ++k) {
    const Block& b = blocks[k];
    ASSERT_EQ(b.step, static_cast<int>(k % 3)) << "steps are printed in order, for each kernel";
    ASSERT_EQ(b.rows.size(), 2u);
    for (int i = 0; i < 2; ++i) {
      ASSERT_EQ(b.rows[i].size(), 3u);
      for (int j = 0; j < 3; ++j)
        EXPECT_LE(std::fabs(b.rows[i][j] - ref.h[b.step][i][j]), ref.bound[b.step][i][j])
            << b.kernel << " step " << b.step << " (" << i << ", " << j << ")";
    }
  }
}

// A temporary folder for files written by a test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() / (std::string("gemmlab-test-") + info->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  TempDir(TempDir&&) = delete;
  TempDir& operator=(TempDir&&) = delete;
  // Writes `text` to a file and returns its path.
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  // Writes a matrix the way numpy.savetxt does by default ("%.18e", spaces).
  std::string write_numpy(const std::string& name, const Rows& rows) const {
    std::string text;
    for (const auto& row : rows) {
      for (std::size_t j = 0; j < row.size(); ++j) {
        char cell[40];
        std::snprintf(cell, sizeof cell, "%.18e", row[j]);
        text.append(j == 0 ? "" : " ").append(cell);
      }
      text.push_back('\n');
    }
    return write(name, text);
  }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

Rows transpose(const Rows& m) {
  Rows t(m[0].size(), std::vector<double>(m.size()));
  for (std::size_t i = 0; i < m.size(); ++i)
    for (std::size_t j = 0; j < m[0].size(); ++j) t[j][i] = m[i][j];
  return t;
}

// ---- the good runs -------------------------------------------------------------------

TEST(RnnCli, SeedExampleIsUnchanged) {
  const CliRun r = run({"rnn"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("Y0 = tanh(X0·Wx + b)\n[["), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Y1 = tanh(Y0·Wy + X1·Wx + b)"), std::string::npos);
  for (Kernel k : available_kernels())
    EXPECT_NE(r.out.find(std::string(kernel_name(k))), std::string::npos) << kernel_name(k);
  EXPECT_EQ(r.out.find("DISAGREES"), std::string::npos) << r.out;
}

TEST(RnnCli, HelpGoesToStdoutWithExitZero) {
  const CliRun r = run({"rnn", "--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("--layout gemmlab|torch"), std::string::npos);
  EXPECT_EQ(r.err, "");
}

TEST(RnnCli, TorchLayoutFixtureMatchesTheDoubleReferenceWithEveryKernel) {
  const std::size_t kernels = available_kernels().size();
  for (const std::string activation : {"tanh", "relu"}) {
    const CliRun r = run(torch_args(activation, "all"));
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    expect_matches_reference(r.out, reference(activation == "relu", true), kernels);
  }
}

TEST(RnnCli, GemmlabLayoutFromNumpyFilesGivesTheSameAnswer) {
  // The same RNN in gemmlab's (Keras's) layout: Wx = weight_ihᵀ, Wy =
  // weight_hhᵀ; the two biases given as two --b files (summed); no h0 this time.
  const TempDir dir;
  std::vector<std::string> args = {"rnn",
                                   "--kernel",
                                   "all",
                                   "--wx",
                                   dir.write_numpy("wx.txt", transpose(weight_ih)),
                                   "--wy",
                                   dir.write_numpy("wy.txt", transpose(weight_hh)),
                                   "--b",
                                   dir.write_numpy("b1.txt", {bias_ih}),  // as one row this time
                                   "--b",
                                   dir.write_numpy("b2.txt", transpose({bias_hh}))};
  for (int t = 0; t < 3; ++t) {
    args.emplace_back("--x");
    args.emplace_back(dir.write_numpy(std::string("x").append(std::to_string(t)).append(".txt"), xs[t]));
  }
  const CliRun r = run(args);
  ASSERT_EQ(r.code, 0) << r.err;
  expect_matches_reference(r.out, reference(false, false), available_kernels().size());
}

TEST(RnnCli, BatchOfOneGivenAsColumnVectors) {
  // numpy.savetxt writes a 1-D array one value a line: x_t (I values) and h0
  // (H values) arrive as columns and mean one row each.
  const TempDir dir;
  const CliRun r = run({"rnn", "--layout", "torch", "--kernel", "naive", "--wx", data("weight_ih.txt"), "--wy",
                        data("weight_hh.txt"), "--h0", dir.write_numpy("h0.txt", transpose({h0[0]})), "--x",
                        dir.write_numpy("x0.txt", transpose({xs[0][0]}))});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<Block> blocks = parse_output(r.out);
  ASSERT_EQ(blocks.size(), 1u);
  ASSERT_EQ(blocks[0].rows.size(), 1u);
  ASSERT_EQ(blocks[0].rows[0].size(), 3u);
  for (int j = 0; j < 3; ++j) {
    double pre = 0.0;
    for (int p = 0; p < 2; ++p) pre += f(xs[0][0][p]) * f(weight_ih[j][p]);
    for (int p = 0; p < 3; ++p) pre += f(h0[0][p]) * f(weight_hh[j][p]);
    EXPECT_NEAR(blocks[0].rows[0][j], std::tanh(pre), gemm_error_bound(7, 4.0) + tanh_max_abs_error)
        << "|pre| terms sum to < 4 here";
  }
}

// ---- the bad runs: one line on stderr, nothing on stdout, exit 1 or 2 ---------------

void expect_failure(const std::vector<std::string>& args, int code, const std::vector<std::string>& in_message) {
  const CliRun r = run(args);
  std::string command;
  for (const auto& a : args) command.append(a).append(" ");
  EXPECT_EQ(r.code, code) << command << "\nstderr: " << r.err;
  EXPECT_EQ(r.out, "") << command << ": a failing run prints nothing on stdout";
  ASSERT_FALSE(r.err.empty()) << command;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << command << ": one line on stderr: " << r.err;
  for (const auto& part : in_message) EXPECT_NE(r.err.find(part), std::string::npos) << command << "\n" << r.err;
}

TEST(RnnCli, BadDataExitsWithOne) {
  const TempDir dir;
  const std::string wx = dir.write("wx.txt", "1 0.5\n-0.25 2\n0.1 0.2\n");  // I = 3, H = 2
  const std::string wy = dir.write("wy.txt", "0.5 0.1\n-0.2 0.3\n");
  const std::string x = dir.write("x.txt", "1 2 3\n4 5 6\n");
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"rnn", "--wx", wx, "--wy", wy};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  // A missing file, and one that cannot be read (a folder).
  expect_failure(with({"--x", dir.path() + "/absent.txt"}), 1, {"absent.txt: cannot open: No such file"});
  expect_failure(with({"--x", dir.path()}), 1, {dir.path() + ": cannot read"});
  // Malformed contents: file and line named.
  const std::string not_number = dir.write("nn.txt", "1 2 3\n# c\n4 five 6\n");
  expect_failure(with({"--x", not_number}), 1, {"nn.txt:3: 'five' is not a number (column 3)"});
  const std::string ragged = dir.write("ragged.txt", "1 2 3\n4 5\n");
  expect_failure(with({"--x", ragged}), 1, {"ragged.txt:2: ragged rows"});
  const std::string empty = dir.write("empty.txt", "# nothing\n\n");
  expect_failure(with({"--x", empty}), 1, {"empty.txt: no numbers in it (an empty matrix)"});
  const std::string huge = dir.write("huge.txt", "1 2 3\n4 1e39 6\n");
  expect_failure(with({"--x", huge}), 1, {"huge.txt:2: '1e39' is out of the range of a float"});
  const std::string nan = dir.write("nan.txt", "1 nan 3\n");
  expect_failure(with({"--x", nan}), 1, {"nan.txt:1: 'nan' is not a finite number"});
  // Shapes that do not fit: both shapes and the files named.
  expect_failure({"rnn", "--wx", wx, "--wy", x, "--x", x}, 1, {"--wy " + x + " is 2x3 but must be 2x2", wx, "3x2"});
  const std::string x_narrow = dir.write("narrow.txt", "1 2\n3 4\n");
  expect_failure(with({"--x", x_narrow}), 1, {"--x " + x_narrow + " is 2x2 but must have 3 columns", wx, "3x2"});
  const std::string x_batch3 = dir.write("b3.txt", "1 2 3\n4 5 6\n7 8 9\n");
  expect_failure(with({"--x", x, "--x", x_batch3}), 1, {x_batch3 + " (step 1) is 3x3", x + ", is 2x3"});
  const std::string h0_bad = dir.write("h0.txt", "1 2 3\n4 5 6\n");
  expect_failure(with({"--x", x, "--h0", h0_bad}), 1, {"--h0 " + h0_bad + " is 2x3 but must be 2x2"});
  const std::string b_bad = dir.write("b.txt", "1 2 3\n");
  expect_failure(with({"--x", x, "--b", b_bad}), 1, {"--b " + b_bad + " is 1x3 but must hold 2 values"});
  // torch layout: weight_ih is H x I, so the same files mean other shapes.
  expect_failure({"rnn", "--layout", "torch", "--wx", wx, "--wy", wy, "--x", x}, 1,
                 {"--wy " + wy + " is 2x2 but must be 3x3", "weight_ih (H x I)"});
}

TEST(RnnCli, BadUsageExitsWithTwo) {
  const std::string wx = data("weight_ih.txt"), wy = data("weight_hh.txt"), x = data("x0.txt");
  expect_failure({"rnn", "--frobnicate"}, 2, {"unknown option '--frobnicate'"});
  expect_failure({"rnn", "--kernel", "fast"}, 2, {"unknown kernel 'fast'", "naive"});
  expect_failure({"rnn", "--layout", "keras", "--wx", wx, "--wy", wy, "--x", x}, 2, {"unknown layout 'keras'"});
  expect_failure({"rnn", "--activation", "sigmoid", "--wx", wx, "--wy", wy, "--x", x}, 2,
                 {"unknown activation 'sigmoid'"});
  expect_failure({"rnn", "--wx", wx, "--wy", wy}, 2, {"missing --x"});
  expect_failure({"rnn", "--wy", wy, "--x", x}, 2, {"missing --wx"});
  expect_failure({"rnn", "--wx", wx, "--x", x}, 2, {"missing --wy"});
  expect_failure({"rnn", "--wx", wx, "--wy", wy, "--x"}, 2, {"--x needs a value"});
  expect_failure({"rnn", "--wx", "--wy", wy, "--x", x}, 2, {"--wx needs a value"});
  expect_failure({"rnn", "--wx", wx, "--wx", wx}, 2, {"--wx given twice"});
  expect_failure({"rnn", "--wx", wx, "--wy", wy, "--x", x, "--b", x, "--b", x, "--b", x}, 2,
                 {"--b given more than twice"});
  expect_failure({"rnn", "--activation", "relu"}, 2, {"need your own files"});
  expect_failure({}, 2, {"missing command"});
  expect_failure({"frobnicate"}, 2, {"unknown command 'frobnicate'"});
}

// ---- overflow: finite inputs whose float result would not be -----------------------

// Wx (I x 1), Wy 1 x 1, and one --x per step, all one row: H = 1, B = 1.
std::vector<std::string> one_neuron(const TempDir& dir, const std::string& wx, const std::string& wy,
                                    const std::vector<std::string>& steps, const std::string& activation) {
  std::vector<std::string> args = {"rnn",
                                   "--kernel",
                                   "naive",
                                   "--activation",
                                   activation,
                                   "--wx",
                                   dir.write("wx.txt", wx),
                                   "--wy",
                                   dir.write("wy.txt", wy)};
  for (std::size_t t = 0; t < steps.size(); ++t) {
    args.emplace_back("--x");
    args.emplace_back(dir.write(std::string("x").append(std::to_string(t)).append(".txt"), steps[t]));
  }
  return args;
}

TEST(RnnCli, APreactivationThatOverflowsFloatIsAnErrorNamingKernelStepRowAndNeuron) {
  const TempDir dir;
  // relu of 2 x 3e38: inf.
  expect_failure(
      one_neuron(dir, "3e38\n", "0\n", {"2\n"}, "relu"), 1,
      {"rnn: kernel naive, step 0, row 0, neuron 0: the pre-activation may overflow float", "add up to 6e+38"});
  // Terms that cancel exactly: the exact pre-activation is 0, the float sum
  // inf or nan, and tanh would print 1 (or nan) for tanh(0) = 0.
  expect_failure(one_neuron(dir, "3e38\n3e38\n-3e38\n-3e38\n", "0\n", {"1 1 1 1\n"}, "tanh"), 1,
                 {"step 0, row 0, neuron 0: the pre-activation may overflow float"});
  // Fine at step 0 (1e38), beyond float at step 1 (1e38 + 3 x 1e38) through the recurrence.
  expect_failure(one_neuron(dir, "1e38\n", "3\n", {"1\n", "1\n"}, "relu"), 1,
                 {"step 1, row 0, neuron 0: the pre-activation may overflow float", "add up to 4e+38"});
  // The neuron and row are the offending ones, not the first.
  const std::vector<std::string> wide = {"rnn",
                                         "--activation",
                                         "relu",
                                         "--wx",
                                         dir.write("wx2.txt", "1 1 1\n"),
                                         "--wy",
                                         dir.write("wy2.txt", "0 0 0\n0 0 0\n0 0 0\n"),
                                         "--b",
                                         dir.write("b2.txt", "0 0 3e38\n"),
                                         "--x",
                                         dir.write("x2.txt", "1\n3e38\n")};
  expect_failure(wide, 1, {"kernel simd, step 0, row 1, neuron 2: the pre-activation may overflow float"});
}

TEST(RnnCli, LargeFiniteResultsArePrintedAndReadBackByTheReader) {
  // Near the top of float's range but not beyond it: printed, exit 0, and
  // every value is one gemmlab reads back (no inf, no nan).
  const TempDir dir;
  const CliRun r = run(one_neuron(dir, "1e38\n", "1\n", {"1\n", "1\n", "-1\n"}, "relu"));
  ASSERT_EQ(r.code, 0) << r.err;
  const std::vector<Block> blocks = parse_output(r.out);
  ASSERT_EQ(blocks.size(), 3u);
  // Doubling and halving a float is exact: 1e38f + 1e38f, then 2e38f - 1e38f.
  EXPECT_EQ(static_cast<float>(blocks[1].rows.at(0).at(0)), 2e38f) << r.out;
  EXPECT_EQ(static_cast<float>(blocks[2].rows.at(0).at(0)), 1e38f) << r.out;
  const Matrix back = parse_matrix(r.out, "output");
  EXPECT_EQ(back.rows(), 3);
}

TEST(RnnCli, DecimalCommaTextReadsAsTwiceTheColumnsAndFailsTheShapeCheck) {
  // matrix_io.hpp: a comma separates values, so "0,5 1,5" is four values.
  const std::string wx = data("weight_ih.txt"), wy = data("weight_hh.txt");
  const TempDir dir;
  const std::string x = dir.write("x.txt", "0,5 1,5\n");
  expect_failure({"rnn", "--layout", "torch", "--wx", wx, "--wy", wy, "--x", x}, 1,
                 {"--x " + x + " is 1x4 but must have 2 columns"});
}

TEST(RnnCli, InputsThatNeverEndAreRefusedAtOnce) {
  const std::string wx = data("weight_ih.txt"), wy = data("weight_hh.txt");
  if (!fs::exists("/dev/zero")) GTEST_SKIP() << "no /dev/zero here";
  expect_failure({"rnn", "--layout", "torch", "--wx", wx, "--wy", wy, "--x", "/dev/zero"}, 1,
                 {"/dev/zero: byte 1 is a NUL byte: not a text file"});
}

TEST(KernelsCli, WritesToTheStreamItIsGiven) {
  const CliRun r = run({"kernels"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("features: "), std::string::npos) << r.out;
  for (Kernel k : all_kernels())
    EXPECT_NE(r.out.find(std::string("\n").append(kernel_name(k)).append(" ")), std::string::npos) << kernel_name(k);
  const CliRun help = run({"kernels", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("usage: gemmlab kernels"), std::string::npos) << help.out;
}

// ---- output that cannot be written, in process ---------------------------------------

// A stream that takes `room` characters and then fails as a full disk does.
class FullDisk : public std::streambuf {
 public:
  explicit FullDisk(std::size_t room) : room_(room) {}
  const std::string& kept() const { return kept_; }

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    if (kept_.size() >= room_) {
      errno = ENOSPC;
      return traits_type::eof();
    }
    kept_.push_back(traits_type::to_char_type(c));
    return c;
  }

 private:
  std::size_t room_;
  std::string kept_;
};

TEST(RnnCli, AnOutputThatCannotBeWrittenIsAnError) {
  for (const std::size_t room : {std::size_t{0}, std::size_t{50}})  // every output is longer
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--help"}, {"kernels"}, {"kernels", "--help"}, {"rnn"}, {"rnn", "--help"}, torch_args("tanh", "all")}) {
      FullDisk disk(room);
      std::ostream out(&disk);
      std::ostringstream err;
      EXPECT_EQ(cli::run_main(args, out, err), 1) << args[0] << " room " << room;
      EXPECT_EQ(err.str(), "gemmlab: cannot write the output: No space left on device\n") << args[0];
      EXPECT_EQ(disk.kept().size(), room) << args[0];
    }
}

// ---- end to end: the built binary --------------------------------------------------------

int exit_status(int system_result) {
  // std::system returns the shell's wait status on POSIX: the exit code is in bits 8..15.
  return system_result >= 0 ? (system_result >> 8) & 0xff : -1;
}

TEST(RnnCliEndToEnd, BuiltBinaryPrintsTheSameAsInProcessAndFailsCleanly) {
  const std::string cli = GEMMLAB_CLI_PATH;
  if (!fs::exists(cli)) GTEST_SKIP() << cli << " is not built (make builds it before the tests)";
  const TempDir dir;
  const std::string out = dir.path() + "/out.txt", err = dir.path() + "/err.txt";
  std::string command = "'" + cli + "'";
  for (const auto& a : torch_args("tanh", "all")) command.append(" '").append(a).append("'");
  const int status = std::system((command + " >'" + out + "' 2>'" + err + "'").c_str());
  if (exit_status(status) == 126 || exit_status(status) == 127)
    GTEST_SKIP() << "cannot execute " << cli << " here (a cross-compiled binary?)";
  EXPECT_EQ(exit_status(status), 0);
  auto slurp = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  EXPECT_EQ(slurp(out), run(torch_args("tanh", "all")).out);
  EXPECT_EQ(slurp(err), "");

  // A failing run: exit 1, nothing on stdout, one line on stderr.
  const std::string bad = dir.write("bad.txt", "1 2\n3 x\n");
  const int failed = std::system(
      ("'" + cli + "' rnn --wx '" + bad + "' --wy '" + bad + "' --x '" + bad + "' >'" + out + "' 2>'" + err + "'")
          .c_str());
  EXPECT_EQ(exit_status(failed), 1);
  EXPECT_EQ(slurp(out), "");
  EXPECT_EQ(slurp(err), "gemmlab: " + bad + ":2: 'x' is not a number (column 3)\n");
  // Bad usage: exit 2.
  EXPECT_EQ(exit_status(std::system(("'" + cli + "' rnn --bogus >'" + out + "' 2>'" + err + "'").c_str())), 2);
  EXPECT_EQ(slurp(out), "");
}

// ---- end to end: output that cannot be written, memory that runs out -------------------

#if defined(__SANITIZE_ADDRESS__)
constexpr bool under_asan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool under_asan = true;
#else
constexpr bool under_asan = false;
#endif
#else
constexpr bool under_asan = false;
#endif

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string quoted(const std::vector<std::string>& args) {
  std::string command = std::string("'").append(GEMMLAB_CLI_PATH).append("'");
  for (const auto& a : args) command.append(" '").append(a).append("'");
  return command;
}

// Every command, --help included, with its output sent where it cannot be written.
std::vector<std::vector<std::string>> every_command() {
  return {{"--help"}, {"kernels"}, {"kernels", "--help"}, {"rnn"}, {"rnn", "--help"}, torch_args("tanh", "all")};
}

void expect_write_failure_reported(const std::string& redirect, const std::string& reason) {
  const std::string cli = GEMMLAB_CLI_PATH;
  if (!fs::exists(cli)) GTEST_SKIP() << cli << " is not built";
  const TempDir dir;
  const std::string err = dir.path() + "/err.txt";
  for (const auto& args : every_command()) {
    const std::string command = quoted(args).append(" ").append(redirect).append(" 2>'").append(err).append("'");
    const int status = exit_status(std::system(command.c_str()));
    if (status == 126 || status == 127) GTEST_SKIP() << "cannot execute " << cli << " here";
    EXPECT_EQ(status, 1) << quoted(args) << " " << redirect;
    EXPECT_EQ(slurp(err), "gemmlab: cannot write the output: " + reason + "\n") << quoted(args) << " " << redirect;
  }
}

TEST(CliEndToEnd, EveryCommandReportsAFullDevice) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  expect_write_failure_reported(">/dev/full", "No space left on device");
}

TEST(CliEndToEnd, EveryCommandReportsAClosedStdout) { expect_write_failure_reported(">&-", "Bad file descriptor"); }

// A run whose B x H outputs span 60 steps of 10000 x 16: 9.6 million values.
struct LargeRun {
  std::vector<std::string> args;
  std::size_t lines = 0;  // what a complete output has
};

LargeRun large_run(const TempDir& dir, int steps) {
  SplitMix64 rng(5);
  std::string wx, wy, x;
  for (int j = 0; j < 16; ++j) wx.append(std::to_string(rng.uniform(-1, 1))).append(" ");
  for (int i = 0; i < 16; ++i, wy.push_back('\n'))
    for (int j = 0; j < 16; ++j) wy.append(std::to_string(rng.uniform(-1, 1) / 16)).append(" ");
  for (int i = 0; i < 10000; ++i) x.append(std::to_string(rng.uniform(-1, 1))).append("\n");
  LargeRun r;
  r.args = {"rnn", "--wx", dir.write("wx.txt", wx + "\n"), "--wy", dir.write("wy.txt", wy)};
  const std::string x_path = dir.write("x.txt", x);
  for (int t = 0; t < steps; ++t) {
    r.args.emplace_back("--x");
    r.args.push_back(x_path);
  }
  r.lines = static_cast<std::size_t>(steps) * (1 + 10000);
  return r;
}

// `ulimit -v` caps the address space; AddressSanitizer needs terabytes of it,
// so these run only in builds without it (the CLI is built the same way),
// and only where the CLI starts at all under the cap (not, say, under an
// emulator, which needs address space of its own).
bool cli_starts_under_a_memory_limit() {
  const std::string probe = std::string("ulimit -v 150000 && ").append(quoted({"--help"})).append(" >/dev/null");
  return exit_status(std::system(probe.c_str())) == 0;
}

#define GEMMLAB_SKIP_UNLESS_MEMORY_CAN_BE_LIMITED()                                                        \
  do {                                                                                                     \
    if (under_asan) GTEST_SKIP() << "ulimit -v cannot run an AddressSanitizer binary";                     \
    if (!fs::exists(GEMMLAB_CLI_PATH)) GTEST_SKIP() << GEMMLAB_CLI_PATH << " is not built";                \
    if (!cli_starts_under_a_memory_limit()) GTEST_SKIP() << "the CLI does not start under ulimit -v here"; \
  } while (0)

TEST(CliEndToEnd, ALargeOutputIsWrittenWhole) {
  // 122 MB of text from 38 MB of outputs, under a 250 MB address space: the
  // output is streamed, never held as text, so every line arrives.
  GEMMLAB_SKIP_UNLESS_MEMORY_CAN_BE_LIMITED();
  const TempDir dir;
  const LargeRun r = large_run(dir, 60);
  const std::string status = dir.path() + "/status", count = dir.path() + "/count", err = dir.path() + "/err";
  const std::string command = "ulimit -v 250000 && { GEMMLAB_NUM_THREADS=1 " + quoted(r.args) + " 2>'" + err +
                              "'; echo $? >'" + status + "'; } | wc -l >'" + count + "'";
  ASSERT_EQ(exit_status(std::system(command.c_str())), 0) << command;
  EXPECT_EQ(slurp(status), "0\n") << slurp(err);
  EXPECT_EQ(std::stoull(slurp(count)), r.lines);
}

TEST(CliEndToEnd, RunningOutOfMemoryIsAnErrorThatSaysWhatNeededIt) {
  GEMMLAB_SKIP_UNLESS_MEMORY_CAN_BE_LIMITED();
  const TempDir dir;
  const std::string out = dir.path() + "/out", err = dir.path() + "/err";
  // The outputs of 1000 steps of 10000 x 16 floats: 640 MB, under a 250 MB limit.
  const LargeRun r = large_run(dir, 1000);
  const std::string command =
      "ulimit -v 250000 && GEMMLAB_NUM_THREADS=1 " + quoted(r.args) + " >'" + out + "' 2>'" + err + "'";
  EXPECT_EQ(exit_status(std::system(command.c_str())), 1);
  EXPECT_EQ(slurp(out), "");
  EXPECT_EQ(slurp(err),
            "gemmlab: rnn: out of memory: kernel simd needs at least 640000000 bytes for the outputs of 1000 steps of "
            "10000x16\n");
  // A file of 20 million values on one line, under a 150 MB limit: the
  // reader names the file and the size it could not get.
  const std::string big = dir.path() + "/big.txt";
  {
    std::ofstream f(big, std::ios::binary);
    std::string zeros;
    for (int i = 0; i < 1000000; ++i) zeros.append("0 ");
    for (int i = 0; i < 20; ++i) f << zeros;
    f << '\n';
  }
  const std::string read_command = "ulimit -v 150000 && GEMMLAB_NUM_THREADS=1 " +
                                   quoted({"rnn", "--wx", r.args[2], "--wy", r.args[4], "--x", big}) + " >'" + out +
                                   "' 2>'" + err + "'";
  EXPECT_EQ(exit_status(std::system(read_command.c_str())), 1);
  EXPECT_EQ(slurp(out), "");
  EXPECT_NE(slurp(err).find("gemmlab: " + big + ":1: out of memory: holding its first "), std::string::npos)
      << slurp(err);
}

}  // namespace
}  // namespace gemmlab
