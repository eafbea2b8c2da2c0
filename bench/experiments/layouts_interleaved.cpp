// bench/experiments/layouts_interleaved.cpp — the cost of a transposed
// operand on the small path, measured the way a ratio this small needs: the
// eight layout x transpose combinations of one N^3 product timed in turn,
// round after round, so that a slow moment of a shared machine hits all of
// them alike, and each reported as the median of its rounds and as a ratio
// to row-major NN of the same run.
//
//   make experiments && build/experiments/layouts_interleaved [N] [rounds]
//
// (defaults 64 and 31). Uses the public API only; `simd` on 1 thread unless
// GEMMLAB_NUM_THREADS says otherwise. Each result is checked against the
// naive kernel's result of the same call before any timing counts.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <gemmlab/gemm.hpp>
#include <gemmlab/numerics.hpp>
#include <string>
#include <vector>

namespace {

using gemmlab::Kernel;
using gemmlab::Layout;
using gemmlab::Transpose;

struct Variant {
  Layout layout;
  Transpose ta, tb;
  std::string name;
};

void call(Kernel k, const Variant& v, int n, const std::vector<float>& A, const std::vector<float>& B,
          std::vector<float>& C) {
  gemmlab::sgemm(k, v.layout, v.ta, v.tb, n, n, n, 1.0f, A.data(), n, B.data(), n, 0.0f, C.data(), n);
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 64;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 31;
  if (n < 1 || n > 4096 || rounds < 1 || rounds > 1000) {
    std::fprintf(stderr, "usage: layouts_interleaved [N in 1..4096] [rounds in 1..1000]\n");
    return 2;
  }
  if (std::getenv("GEMMLAB_NUM_THREADS") == nullptr) gemmlab::set_num_threads(1);
  const std::size_t size = static_cast<std::size_t>(n) * n;
  std::vector<float> A(size), B(size), C(size), reference(size);
  for (std::size_t i = 0; i < size; ++i) {  // values in [-1, 1], exact in float
    A[i] = static_cast<float>(static_cast<int>(i % 17) - 8) / 8.0f;
    B[i] = static_cast<float>(static_cast<int>(i % 13) - 6) / 6.0f;
  }
  std::vector<Variant> variants;
  for (Layout l : {Layout::row_major, Layout::col_major})
    for (Transpose ta : {Transpose::no_trans, Transpose::trans})
      for (Transpose tb : {Transpose::no_trans, Transpose::trans})
        variants.push_back({l, ta, tb,
                            std::string(l == Layout::row_major ? "row " : "col ") +
                                (ta == Transpose::trans ? "T" : "N") + (tb == Transpose::trans ? "T" : "N")});

  // Every |A| and |B| is at most 1, so the bound's sum is at most n per
  // element; both results are within the bound of the exact product, so
  // within twice it of each other.
  const double bound = gemmlab::gemm_error_bound(n, n);
  for (const Variant& v : variants) {
    call(Kernel::naive, v, n, A, B, reference);
    call(Kernel::simd, v, n, A, B, C);
    for (std::size_t i = 0; i < size; ++i)
      if (std::fabs(static_cast<double>(C[i]) - reference[i]) > 2 * bound) {
        std::fprintf(stderr, "%s: element %zu is %g, naive gives %g\n", v.name.c_str(), i, C[i], reference[i]);
        return 1;
      }
  }

  const double flops = 2.0 * n * n * n;
  const int calls = std::max(1, static_cast<int>(2e7 / flops));  // ~0.1 ms a sample at 200 GFLOP/s
  std::vector<std::vector<double>> gflops(variants.size());
  for (int r = 0; r < rounds; ++r)
    for (std::size_t v = 0; v < variants.size(); ++v) {
      const auto start = std::chrono::steady_clock::now();
      for (int c = 0; c < calls; ++c) call(Kernel::simd, variants[v], n, A, B, C);
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
      gflops[v].push_back(flops * calls / took.count() * 1e-9);
    }
  std::printf("%d^3, simd (%s), %d rounds, median GFLOP/s and ratio to row NN\n", n,
              gemmlab::kernel_name(gemmlab::resolve_kernel(Kernel::simd)).data(), rounds);
  double row_nn = 0;
  for (std::size_t v = 0; v < variants.size(); ++v) {
    std::sort(gflops[v].begin(), gflops[v].end());
    const double median = gflops[v][gflops[v].size() / 2];
    if (v == 0) row_nn = median;
    std::printf("  %s  %7.1f  %.3f\n", variants[v].name.c_str(), median, median / row_nn);
  }
  return 0;
}
