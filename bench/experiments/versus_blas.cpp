// bench/experiments/versus_blas.cpp — gemmlab's sgemm against another BLAS
// loaded at run time, timed interleaved in one process: each size, round
// after round, gemmlab's `simd` then the other library's cblas_sgemm, so a
// slow moment of a shared machine hits both alike. Reports each median and
// the ratio gemmlab / other.
//
//   make experiments
//   export OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=1
//   build/experiments/versus_blas /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0 [rounds]
//
// The other library is only opened with dlopen (RTLD_LOCAL, so its symbols
// do not replace gemmlab's own cblas_sgemm) and is no part of the build;
// any library exporting the standard cblas_sgemm works (BLIS: libblis.so
// with BLIS_ARCH_TYPE=skx). 1 thread for gemmlab; set the other library's
// thread count with its own variable. Both results are checked against each
// other with the float bound before any timing counts.
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <gemmlab/gemm.hpp>
#include <gemmlab/numerics.hpp>
#include <vector>

namespace {

// The CBLAS signature with the standard enum values (RowMajor 101, NoTrans 111).
using CblasSgemm = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*,
                            int);

template <class F>
double seconds_per_call(F&& call, int calls) {
  const auto start = std::chrono::steady_clock::now();
  for (int c = 0; c < calls; ++c) call();
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  return took.count() / calls;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: versus_blas LIBRARY.so [rounds in 1..100]\n");
    return 2;
  }
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 7;
  if (rounds < 1 || rounds > 100) {
    std::fprintf(stderr, "versus_blas: rounds '%s' is not in 1..100\n", argv[2]);
    return 2;
  }
  void* library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    std::fprintf(stderr, "versus_blas: cannot open %s: %s\n", argv[1], dlerror());
    return 1;
  }
  const auto other = reinterpret_cast<CblasSgemm>(dlsym(library, "cblas_sgemm"));
  if (other == nullptr) {
    std::fprintf(stderr, "versus_blas: %s has no cblas_sgemm\n", argv[1]);
    return 1;
  }
  if (std::getenv("GEMMLAB_NUM_THREADS") == nullptr) gemmlab::set_num_threads(1);

  std::printf("N^3, 1 thread for gemmlab (simd = %s), %d rounds interleaved, median GFLOP/s\n",
              gemmlab::kernel_name(gemmlab::resolve_kernel(gemmlab::Kernel::simd)).data(), rounds);
  std::printf("  %6s  %9s  %9s  %s\n", "N", "gemmlab", "other", "gemmlab / other");
  for (const int n : {16, 32, 64, 128, 256, 512, 1024, 2048, 4096}) {
    const std::size_t size = static_cast<std::size_t>(n) * n;
    std::vector<float> A(size), B(size), C1(size), C2(size);
    for (std::size_t i = 0; i < size; ++i) {  // in [-1, 1], exact in float
      A[i] = static_cast<float>(static_cast<int>(i % 17) - 8) / 8.0f;
      B[i] = static_cast<float>(static_cast<int>(i % 13) - 6) / 6.0f;
    }
    const auto ours = [&] {
      gemmlab::sgemm(gemmlab::Kernel::simd, n, n, n, 1.0f, A.data(), n, B.data(), n, 0.0f, C1.data(), n);
    };
    const auto theirs = [&] { other(101, 111, 111, n, n, n, 1.0f, A.data(), n, B.data(), n, 0.0f, C2.data(), n); };
    ours();
    theirs();
    // |A|, |B| <= 1: each result is within the bound (sum <= n) of the exact
    // product, so the two within twice it of each other.
    const double bound = 2 * gemmlab::gemm_error_bound(n, n);
    for (std::size_t i = 0; i < size; ++i)
      if (std::fabs(static_cast<double>(C1[i]) - C2[i]) > bound) {
        std::fprintf(stderr, "versus_blas: N = %d, element %zu: gemmlab %g, other %g\n", n, i, C1[i], C2[i]);
        return 1;
      }
    const double flops = 2.0 * n * n * n;
    const int calls = std::max(1, static_cast<int>(5e8 / flops));  // ~2 ms a sample at 250 GFLOP/s
    std::vector<double> g1, g2;
    for (int r = 0; r < rounds; ++r) {
      g1.push_back(flops / seconds_per_call(ours, calls) * 1e-9);
      g2.push_back(flops / seconds_per_call(theirs, calls) * 1e-9);
    }
    std::sort(g1.begin(), g1.end());
    std::sort(g2.begin(), g2.end());
    const double m1 = g1[g1.size() / 2], m2 = g2[g2.size() / 2];
    std::printf("  %6d  %9.1f  %9.1f  %.3f\n", n, m1, m2, m1 / m2);
  }
  return 0;
}
