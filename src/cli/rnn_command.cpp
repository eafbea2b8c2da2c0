// `gemmlab rnn`: the seed's RNN with one or every kernel.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "cli/cli.hpp"
#include "gemmlab/numerics.hpp"
#include "gemmlab/rnn.hpp"

namespace gemmlab::cli {
namespace {

const char* const rnn_usage =
    "usage: gemmlab rnn [--kernel NAME|all]\n"
    "\n"
    "Runs the seed's RNN: 5 tanh neurons, 3 inputs, batch 4, two steps,\n"
    "Wx and Wy drawn from N(0,1) by SplitMix64(42) + Box-Muller, b = 0.\n"
    "Prints Y0 and Y1 computed with the first kernel, then each kernel's\n"
    "largest difference from the naive kernel and the rounding-error bound.\n"
    "\n"
    "  --kernel NAME|all   naive, blocked, simd, simd-avx2, simd-avx512, simd-neon,\n"
    "                      a comma-separated list, or all (default: all)\n";

// numpy's style for a 2-D array: "[[a b c]\n [d e f]]", one instance a row.
std::string numpy_style(const Matrix& m) {
  std::ostringstream out;
  out << '[';
  for (int i = 0; i < m.rows(); ++i) {
    out << (i == 0 ? "[" : " [");
    for (int j = 0; j < m.cols(); ++j) {
      char cell[32];
      std::snprintf(cell, sizeof cell, "% .8f", static_cast<double>(m(i, j)));
      out << (j == 0 ? "" : " ") << cell;
    }
    out << (i + 1 == m.rows() ? "]]" : "]\n");
  }
  return out.str();
}

double max_abs_difference(const Matrix& a, const Matrix& b) {
  double worst = 0.0;
  for (int i = 0; i < a.rows(); ++i)
    for (int j = 0; j < a.cols(); ++j) worst = std::max(worst, std::fabs(double(a(i, j)) - double(b(i, j))));
  return worst;
}

// A first-order bound on |Y_kernel - Y_exact| for the seed's two steps.
// Step 0: the GEMM bound on X0·Wx + b, through tanh (which is 1-Lipschitz),
// plus tanh's own error. Step 1: the same for Y0·Wy + X1·Wx + b (K = 3 + 5),
// plus the error carried in from Y0 through Wy. Two kernels may each be off by
// this much in opposite directions, so they agree to within twice the bound.
double seed_error_bound(const SeedExample& s, const TwoStepOutput& y) {
  const int batch = s.X0.rows(), hidden = s.Wx.cols(), inputs = s.Wx.rows();
  std::vector<double> err0(static_cast<std::size_t>(batch) * hidden);
  double worst = 0.0;
  for (int i = 0; i < batch; ++i)
    for (int j = 0; j < hidden; ++j) {
      double abs_sum = std::fabs(s.b(0, j));
      for (int p = 0; p < inputs; ++p) abs_sum += std::fabs(s.X0(i, p) * double(s.Wx(p, j)));
      err0[i * hidden + j] = gemm_error_bound(inputs + 1, abs_sum) + tanh_max_abs_error;
      worst = std::max(worst, err0[i * hidden + j]);
    }
  for (int i = 0; i < batch; ++i)
    for (int j = 0; j < hidden; ++j) {
      double abs_sum = std::fabs(s.b(0, j)), carried = 0.0;
      for (int p = 0; p < inputs; ++p) abs_sum += std::fabs(s.X1(i, p) * double(s.Wx(p, j)));
      for (int p = 0; p < hidden; ++p) {
        abs_sum += std::fabs(double(y.Y0(i, p)) * s.Wy(p, j));
        carried += err0[i * hidden + p] * std::fabs(s.Wy(p, j));
      }
      worst = std::max(worst, gemm_error_bound(inputs + hidden + 1, abs_sum) + carried + tanh_max_abs_error);
    }
  return 2.0 * worst;
}

}  // namespace

int run_rnn(std::span<const std::string> args) {
  std::string kernel_arg = "all";
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << rnn_usage;
      return 0;
    }
    if (a == "--kernel") {
      if (i + 1 >= args.size()) throw usage_error("rnn: --kernel needs a value (a kernel name or all)");
      kernel_arg = args[++i];
      continue;
    }
    throw usage_error("rnn: unknown option '" + a + "' (see gemmlab rnn --help)");
  }
  const std::vector<Kernel> kernels = parse_kernel_list(kernel_arg);

  const SeedExample seed = make_seed_example();
  const TwoStepOutput reference = seed_forward(Kernel::naive, seed);
  const TwoStepOutput first = seed_forward(kernels.front(), seed);
  const double bound = seed_error_bound(seed, reference);

  std::ostringstream out;  // printed only once everything has succeeded
  out << "# the seed's RNN: 5 tanh neurons, 3 inputs, batch 4, two steps (kernel " << kernel_name(kernels.front())
      << ")\n";
  out << "Y0 = tanh(X0·Wx + b)\n" << numpy_style(first.Y0) << "\n\n";
  out << "Y1 = tanh(Y0·Wy + X1·Wx + b)\n" << numpy_style(first.Y1) << "\n\n";
  out << "# every kernel against naive: largest |Y - Y_naive| over Y0 and Y1 (bound " << bound << ")\n";
  bool all_agree = true;
  for (Kernel k : kernels) {
    const TwoStepOutput y = seed_forward(k, seed);
    const double diff = std::max(max_abs_difference(y.Y0, reference.Y0), max_abs_difference(y.Y1, reference.Y1));
    const bool ok = diff <= bound;
    all_agree = all_agree && ok;
    char line[160];
    const Kernel runs = resolve_kernel(k);
    std::string runs_label;  // "(simd-avx512)" when `simd` stands for another kernel
    if (runs != k) runs_label.append("(").append(kernel_name(runs)).append(")");
    std::snprintf(line, sizeof line, "%-12s %-14s max |diff| = %.3g  %s\n", std::string(kernel_name(k)).c_str(),
                  runs_label.c_str(), diff, ok ? "agrees" : "DISAGREES");
    out << line;
  }
  std::cout << out.str();
  return all_agree ? 0 : 1;
}

}  // namespace gemmlab::cli
