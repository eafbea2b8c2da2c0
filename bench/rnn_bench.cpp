// Timing the RNN forward pass, each kernel's output checked step by step
// against a double-precision step from the same previous state.
#include "rnn_bench.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

#include "gemm_bench.hpp"
#include "gemmlab/bf16.hpp"
#include "gemmlab/numerics.hpp"
#include "gemmlab/random.hpp"
#include "gemmlab/rnn.hpp"

namespace gemmlab::bench {
namespace {

double rnn_flops(int B, int I, int H, int T) { return 2.0 * B * H * (double(T) * I + double(T - 1) * H); }

// Checks one step, Y = tanh(X·Wx + Yprev·Wy + b), against double arithmetic
// from the same X and Yprev (an empty Yprev means the zero state).
//
// Why the bound holds: each pre-activation is one sum of I + H + 1 terms
// (the products and b), computed in float as at most three partial sums (the
// two GEMMs and the bias); that is the situation of gemm_error_bound with
// K = I + H + 1 (numerics.hpp). tanh is 1-Lipschitz, so it carries that
// error over unchanged, and adds its own error, tanh_max_abs_error (rnn.hpp).
void check_step(ConstMatrixView X, ConstMatrixView Wx, ConstMatrixView Yprev, ConstMatrixView Wy, ConstMatrixView b,
                ConstMatrixView Y, int step, RnnRow& row) {
  const int I = X.cols(), H = Wx.cols();
  const bool has_state = Yprev.rows() > 0;
  const int terms = I + (has_state ? H : 0) + 1;
  for (int i = 0; i < X.rows(); ++i)
    for (int j = 0; j < H; ++j) {
      double pre = double(b(0, j)), abs_sum = std::fabs(double(b(0, j)));
      for (int p = 0; p < I; ++p) {
        const double t = double(X(i, p)) * double(Wx(p, j));
        pre += t;
        abs_sum += std::fabs(t);
      }
      if (has_state)
        for (int p = 0; p < H; ++p) {
          const double t = double(Yprev(i, p)) * double(Wy(p, j));
          pre += t;
          abs_sum += std::fabs(t);
        }
      const double bound =
          gemm_error_bound(terms, abs_sum) + tanh_max_abs_error + 2.0 * (terms + 2) * 0x1.0p-53 * abs_sum;
      const double err = std::fabs(double(Y(i, j)) - std::tanh(pre));
      if (!(err <= bound)) {
        if (row.check_passed) {
          row.check_failure.append("step ").append(std::to_string(step)).append(": Y(").append(std::to_string(i));
          row.check_failure.append(",").append(std::to_string(j)).append(") = ").append(std::to_string(Y(i, j)));
          row.check_failure.append(" but the double reference is ").append(std::to_string(std::tanh(pre)));
        }
        row.check_passed = false;
      } else {
        row.worst_error_ratio = std::max(row.worst_error_ratio, err / bound);
      }
    }
}

// The problem of one case: weights and every step's input, stacked.
struct RnnProblem {
  int batch = 0, inputs = 0, hidden = 0, steps = 0;
  Matrix x_all;  // (steps * batch) x inputs, step t in rows t*batch ...
  Matrix Wx, Wy, b;
};

RnnProblem seed_problem() {
  const SeedExample seed = make_seed_example();
  RnnProblem p{seed.X0.rows(), seed.X0.cols(), seed.Wx.cols(), 2, Matrix(2 * seed.X0.rows(), seed.X0.cols()),
               seed.Wx,        seed.Wy,        seed.b};
  copy(seed.X0, p.x_all.block(0, 0, p.batch, p.inputs));
  copy(seed.X1, p.x_all.block(p.batch, 0, p.batch, p.inputs));
  return p;
}

RnnProblem large_problem() {
  RnnProblem p;
  p.batch = 64;
  p.inputs = 128;
  p.hidden = 256;
  p.steps = 50;
  // PyTorch's initialisation, U(-1/sqrt(H), 1/sqrt(H)), keeps tanh out of
  // saturation over 50 steps, so the timing is of realistic values.
  SplitMix64 rng(64128256);
  const double scale = 1.0 / std::sqrt(double(p.hidden));
  p.x_all = random_uniform(p.steps * p.batch, p.inputs, rng);
  p.Wx = random_uniform(p.inputs, p.hidden, rng, -scale, scale);
  p.Wy = random_uniform(p.hidden, p.hidden, rng, -scale, scale);
  p.b = random_uniform(1, p.hidden, rng, -scale, scale);
  return p;
}

ConstMatrixView step_rows(ConstMatrixView all, int step, int batch) {
  return all.block(step * batch, 0, batch, all.cols());
}

// A copy of m with every element rounded to bf16 (and back to float, exactly).
Matrix rounded_to_bf16(ConstMatrixView m) {
  Matrix out(m.rows(), m.cols());
  for (int i = 0; i < m.rows(); ++i)
    for (int j = 0; j < m.cols(); ++j) out(i, j) = to_float(to_bf16(m(i, j)));
  return out;
}

// Checks steps 0, 1 and the last of `outputs` ((steps*batch) x hidden). A
// bf16 run's GEMMs multiply X, Wx, Yprev and Wy rounded to bf16, products
// exact and sums in float: so check_step on the rounded operands, with the
// same float bound, checks it step by step.
void check_outputs(const RnnProblem& p, ConstMatrixView outputs, RnnRow& row, bool bf16_inputs) {
  row.check_passed = true;
  const auto used = [&](ConstMatrixView m) {
    if (bf16_inputs) return rounded_to_bf16(m);
    Matrix out(m.rows(), m.cols());
    copy(m, out);
    return out;
  };
  const Matrix Wx = used(p.Wx), Wy = used(p.Wy);
  for (int t : {0, 1, p.steps - 1}) {
    if (t >= p.steps) continue;
    const Matrix X = used(step_rows(p.x_all, t, p.batch));
    const Matrix Yprev = t == 0 ? Matrix() : used(step_rows(outputs, t - 1, p.batch));
    check_step(X, Wx, Yprev, Wy, p.b, step_rows(outputs, t, p.batch), t, row);
  }
}

void describe(RnnRow& row, const RnnProblem& p, const char* path) {
  row.batch = p.batch;
  row.inputs = p.inputs;
  row.neurons = p.hidden;
  row.steps = p.steps;
  row.path = path;
  row.flops = rnn_flops(p.batch, p.inputs, p.hidden, p.steps);
}

// The fast path: RnnForward, built once, run() timed (it allocates nothing).
void time_rnn_forward(RnnRow& row, const RnnProblem& p, const Options& options) {
  describe(row, p, "RnnForward");
  const bool bf16 = is_bf16(row.kernel);
  const RnnWeights weights = weights_from_gemmlab(p.Wx, p.Wy, p.b);
  RnnForward forward(row.kernel, weights, Activation::tanh, p.batch, p.steps, bf16 ? Precision::bf16 : Precision::f32);
  forward.run(p.x_all);
  check_outputs(p, forward.outputs(), row, bf16);
  if (!row.check_passed) return;
  if (bf16) {
    RnnForward reference(Kernel::simd, weights, Activation::tanh, p.batch, p.steps);
    reference.run(p.x_all);
    row.max_diff_vs_f32 = 0;
    const ConstMatrixView a = forward.outputs(), b = reference.outputs();
    for (int i = 0; i < a.rows(); ++i)
      for (int j = 0; j < a.cols(); ++j)
        row.max_diff_vs_f32 = std::max(row.max_diff_vs_f32, std::fabs(double(a(i, j)) - double(b(i, j))));
  }
  row.timing = measure([&] { forward.run(p.x_all); }, options.measure);
}

// The seed's readable two steps: seed_forward() as `gemmlab rnn` shows it
// (two rnn_cell calls; the outputs are allocated on every call).
void time_seed_forward(RnnRow& row, const Options& options) {
  const RnnProblem p = seed_problem();
  describe(row, p, "seed_forward");
  const SeedExample seed = make_seed_example();
  const TwoStepOutput out = seed_forward(row.kernel, seed);
  Matrix outputs(2 * p.batch, p.hidden);
  copy(out.Y0, outputs.block(0, 0, p.batch, p.hidden));
  copy(out.Y1, outputs.block(p.batch, 0, p.batch, p.hidden));
  check_outputs(p, outputs, row, false);
  if (!row.check_passed) return;
  float sink = 0;  // keeps the result alive
  row.timing = measure(
      [&] {
        const TwoStepOutput o = seed_forward(row.kernel, seed);
        sink += o.Y1(0, 0);
      },
      options.measure);
  if (!std::isfinite(sink)) row.check_passed = false;
}

// One rnn_cell call per step, for comparison with RnnForward: T small input
// GEMMs instead of one large one, and the bias + tanh pass separate.
void time_cell_loop(RnnRow& row, const RnnProblem& p, const Options& options) {
  describe(row, p, "rnn_cell loop");
  Matrix outputs(p.steps * p.batch, p.hidden);
  const auto forward = [&] {
    for (int t = 0; t < p.steps; ++t)
      rnn_cell(row.kernel, step_rows(p.x_all, t, p.batch), p.Wx,
               t == 0 ? ConstMatrixView() : outputs.block((t - 1) * p.batch, 0, p.batch, p.hidden), p.Wy, p.b,
               outputs.block(t * p.batch, 0, p.batch, p.hidden));
  };
  outputs.fill(std::numeric_limits<float>::quiet_NaN());
  forward();
  check_outputs(p, outputs, row, false);
  if (!row.check_passed) return;
  row.timing = measure(forward, options.measure);
}

// The cases, in the order they run and print.
enum class RnnCase { seed_fast, seed_readable, large_fast, large_cells };
constexpr RnnCase rnn_cases[] = {RnnCase::seed_fast, RnnCase::seed_readable, RnnCase::large_fast, RnnCase::large_cells};

}  // namespace

int rnn_bench_steps(const Options& options) {
  return static_cast<int>(std::size(rnn_cases) * options.kernels.size() * options.rnn_threads.size());
}

std::vector<RnnRow> run_rnn_bench(const Options& options, Progress& progress) {
  std::vector<RnnRow> rows;
  const RnnProblem seed = seed_problem();
  const RnnProblem large = large_problem();
  for (RnnCase c : rnn_cases)
    for (int threads : options.rnn_threads) {
      set_num_threads(threads);
      for (Kernel kernel : options.kernels) {
        RnnRow row;
        row.kernel = kernel;
        row.name = std::string(kernel_name(kernel));
        row.threads = threads;
        const bool is_seed = c == RnnCase::seed_fast || c == RnnCase::seed_readable;
        std::string what(is_seed ? "rnn seed " : "rnn B64 I128 H256 T50 ");
        what.append(row.name).append(" threads=").append(std::to_string(threads));
        progress.step(what);
        if (!kernel_is_threaded(kernel) && threads > 1) {
          row.skipped = true;
          row.skip_reason = "single-threaded kernel";
        } else if (is_bf16(kernel) && (c == RnnCase::seed_readable || c == RnnCase::large_cells)) {
          row.skipped = true;
          row.skip_reason = "bf16 kernel: RnnForward only (the readable paths are float)";
        } else if (kernel == Kernel::bf16_naive && c == RnnCase::large_fast) {
          row.skipped = true;
          row.skip_reason = "bf16-naive: too slow for the large RNN";
        } else if (kernel == Kernel::naive && c == RnnCase::large_cells) {
          row.skipped = true;  // the same naive GEMMs as RnnForward, a second slow run for nothing
          row.skip_reason = "naive: timed once, with RnnForward";
        } else if (c == RnnCase::seed_fast) {
          time_rnn_forward(row, seed, options);
        } else if (c == RnnCase::seed_readable) {
          time_seed_forward(row, options);
        } else if (c == RnnCase::large_fast) {
          time_rnn_forward(row, large, options);
        } else {
          time_cell_loop(row, large, options);
        }
        if (!row.skipped && row.check_passed) row.gflops = row.flops / row.timing.median_seconds * 1e-9;
        rows.push_back(row);
      }
    }
  set_num_threads(1);
  return rows;
}

}  // namespace gemmlab::bench
