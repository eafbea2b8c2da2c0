// Timing the RNN forward pass, each kernel's output checked step by step
// against a double-precision step from the same previous state.
#include "rnn_bench.hpp"

#include <cmath>

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

// The seed: seed_forward() as `gemmlab rnn` runs it (outputs allocated per call).
void time_seed(RnnRow& row, const Options& options) {
  const SeedExample seed = make_seed_example();
  row.batch = seed.X0.rows();
  row.inputs = seed.X0.cols();
  row.neurons = seed.Wx.cols();
  row.steps = 2;
  row.path = "seed_forward";
  row.flops = rnn_flops(row.batch, row.inputs, row.neurons, row.steps);

  const TwoStepOutput out = seed_forward(row.kernel, seed);
  row.check_passed = true;
  check_step(seed.X0, seed.Wx, ConstMatrixView(), seed.Wy, seed.b, out.Y0, 0, row);
  check_step(seed.X1, seed.Wx, out.Y0, seed.Wy, seed.b, out.Y1, 1, row);
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

// The larger RNN: B 64, I 128, H 256, T 50, as T calls of rnn_cell (the
// allocation-free general forward pass will replace this loop when it lands).
void time_large(RnnRow& row, const Options& options) {
  const int B = 64, I = 128, H = 256, T = 50;
  row.batch = B;
  row.inputs = I;
  row.neurons = H;
  row.steps = T;
  row.path = "rnn_cell loop";
  row.flops = rnn_flops(B, I, H, T);

  // PyTorch's initialisation, U(-1/sqrt(H), 1/sqrt(H)), keeps tanh out of
  // saturation over 50 steps, so the timing is of realistic values.
  SplitMix64 rng(64128256);
  const double scale = 1.0 / std::sqrt(double(H));
  const Matrix X = random_uniform(T * B, I, rng);  // step t is rows t*B .. t*B + B-1
  const Matrix Wx = random_uniform(I, H, rng, -scale, scale);
  const Matrix Wy = random_uniform(H, H, rng, -scale, scale);
  const Matrix b = random_uniform(1, H, rng, -scale, scale);
  Matrix Y(T * B, H);  // every step's output, in the same layout as X

  const auto forward = [&] {
    for (int t = 0; t < T; ++t)
      rnn_cell(row.kernel, X.block(t * B, 0, B, I), Wx, t == 0 ? ConstMatrixView() : Y.block((t - 1) * B, 0, B, H), Wy,
               b, Y.block(t * B, 0, B, H));
  };

  Y.fill(std::numeric_limits<float>::quiet_NaN());
  forward();
  row.check_passed = true;
  for (int t : {0, 1, T - 1})
    check_step(X.block(t * B, 0, B, I), Wx, t == 0 ? ConstMatrixView() : Y.block((t - 1) * B, 0, B, H), Wy, b,
               Y.block(t * B, 0, B, H), t, row);
  if (!row.check_passed) return;
  row.timing = measure(forward, options.measure);
}

}  // namespace

int rnn_bench_steps(const Options& options) {
  return 2 * static_cast<int>(options.kernels.size() * options.threads.size());
}

std::vector<RnnRow> run_rnn_bench(const Options& options, Progress& progress) {
  std::vector<RnnRow> rows;
  for (int which = 0; which < 2; ++which)
    for (int threads : options.threads) {
      set_num_threads(threads);
      for (Kernel kernel : options.kernels) {
        RnnRow row;
        row.kernel = kernel;
        row.name = std::string(kernel_name(kernel));
        row.threads = threads;
        std::string what(which == 0 ? "rnn seed " : "rnn B64 I128 H256 T50 ");
        what.append(row.name).append(" threads=").append(std::to_string(threads));
        progress.step(what);
        if (kernel == Kernel::naive && threads > 1) {
          row.skipped = true;
          row.skip_reason = "naive is single-threaded";
        } else if (which == 0) {
          time_seed(row, options);
        } else {
          time_large(row, options);
        }
        if (!row.skipped && row.check_passed) row.gflops = row.flops / row.timing.median_seconds * 1e-9;
        rows.push_back(row);
      }
    }
  set_num_threads(1);
  return rows;
}

}  // namespace gemmlab::bench
