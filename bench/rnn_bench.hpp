// bench/rnn_bench.hpp — the time of one RNN forward pass, per kernel.
//
// Two problems: the seed's two-step RNN (batch 4, 3 inputs, 5 neurons) and a
// larger one (batch 64, 128 inputs, 256 neurons, 50 steps). Each is timed
// with the fast path, RnnForward::run (built once, no allocation per run),
// and with the readable one for comparison: seed_forward for the seed, a
// loop of rnn_cell calls for the large one. Effective
// GFLOP/s counts only the GEMM work the forward pass needs,
//   2 * B * H * (T * I + (T - 1) * H)
// (the state before step 0 is zero, so step 0 has no recurrent product);
// bias and tanh are not counted, though their time is.
// A bf16 kernel runs RnnForward with Precision::bf16 (the two RnnForward
// cases only) and is checked step by step against the exact step of its
// bf16-rounded inputs, with its distance from the float RNN beside it.
#pragma once

#include <string>
#include <vector>

#include "options.hpp"
#include "progress.hpp"

namespace gemmlab::bench {

struct RnnRow {
  Kernel kernel = Kernel::naive;
  std::string name;
  int threads = 1;
  int batch = 0, inputs = 0, neurons = 0, steps = 0;
  std::string path;  // the code timed: "RnnForward" (the fast path), "seed_forward", "rnn_cell loop"
  bool skipped = false;
  std::string skip_reason;
  bool check_passed = false;
  double worst_error_ratio = 0;
  std::string check_failure;
  Timing timing;     // per forward pass
  double flops = 0;  // GEMM flops of one forward pass
  double gflops = 0;
  // bf16 kernels (RnnForward with Precision::bf16): the largest |h - h_f32|
  // over every step against the float RnnForward (simd) of the same inputs;
  // -1 for float rows.
  double max_diff_vs_f32 = -1;
};

std::vector<RnnRow> run_rnn_bench(const Options& options, Progress& progress);

// How many progress steps run_rnn_bench takes.
int rnn_bench_steps(const Options& options);

}  // namespace gemmlab::bench
