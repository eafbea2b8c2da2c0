// bench/options.hpp — the command line of gemmlab-bench.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "gemmlab/gemm.hpp"
#include "measure.hpp"

namespace gemmlab::bench {

// Bad usage: main prints "gemmlab-bench: <message>" and exits with status 2.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One GEMM problem: C (m x n) := A (m x k) * B (k x n).
struct Shape {
  int m = 0, n = 0, k = 0;
  std::string role;  // "" for a sweep size, else what it is in the RNN
  bool square() const { return m == n && n == k; }
  double flops() const { return 2.0 * m * n * k; }
};

// How the operands are laid out for a timed call: the layout of all three
// matrices and whether A and B are passed transposed (the same logical
// product in every variant; only the memory order of the operands differs).
struct GemmVariant {
  Layout layout = Layout::row_major;
  Transpose trans_a = Transpose::no_trans, trans_b = Transpose::no_trans;
  // "row NN", "col TN", ...
  std::string name() const;
  bool is_default() const {
    return layout == Layout::row_major && trans_a == Transpose::no_trans && trans_b == Transpose::no_trans;
  }
};

struct Options {
  std::vector<Kernel> kernels;                       // in the order timed
  std::vector<GemmVariant> variants{GemmVariant{}};  // --layouts x --trans; default row-major NN
  std::vector<Shape> shapes;
  std::vector<int> threads;
  // The RNN's thread counts: --threads; without it, 1 and the core count,
  // also under --quick (whose GEMM sweep stays on 1 thread), so that the
  // quick run shows how the RNN's recurrence scales.
  std::vector<int> rnn_threads;
  MeasureConfig measure;
  MeasureConfig peak_measure;
  bool quick = false;
  bool run_peak = true, run_gemm = true, run_rnn = true;
  bool run_model = true;          // the clock and bandwidth probes (machine_model.hpp)
  std::string commit;             // --commit: the source version, for results.md
  bool run_errors = false;        // --errors: the error-against-K study (errors.hpp), and nothing else
  int naive_max = 512;            // naive runs only where m*n*k <= naive_max^3
  double max_call_seconds = 1.0;  // skip sizes whose one call is projected to take longer
  std::string out_dir;            // "" = write no files
  std::int64_t loop_calls = -1;   // >= 0: --loop mode (untimed calls for an external timer)
  bool progress = true;
  bool help = false;         // --help: print usage_text, do nothing else
  std::string command_line;  // as typed, for the record
};

extern const char* const usage_text;

// Throws usage_error naming the option that is wrong.
Options parse_options(std::span<const std::string> args);

// The RNN's GEMM shapes (seed and large), with their roles.
std::vector<Shape> rnn_shapes();

}  // namespace gemmlab::bench
