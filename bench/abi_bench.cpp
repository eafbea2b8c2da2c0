// The C ABI's own cost (abi_bench.hpp). Both calls reach the same kernel on
// the same data: what differs is only the entry point (cblas_sgemm's enum
// arguments, its kernel choice and its try/catch) before the shared checks.
#include "abi_bench.hpp"

#include "gemmlab/cblas.h"
#include "gemmlab/gemm.hpp"
#include "gemmlab/random.hpp"
#include "measure.hpp"

namespace gemmlab::bench {

std::vector<AbiRow> run_abi_bench(const Options& options) {
  std::vector<AbiRow> rows;
  const Shape shapes[] = {{4, 4, 4, "4x4x4"}, {4, 5, 3, "the seed's X*Wx"}};
  const int rounds = options.quick ? 5 : 11;
  MeasureConfig config = options.measure;
  config.samples = 3;
  for (const Shape& s : shapes) {
    SplitMix64 rng(7);
    const Matrix A = random_uniform(s.m, s.k, rng), B = random_uniform(s.k, s.n, rng);
    Matrix C(s.m, s.n);
    std::vector<double> cpp, cblas;
    for (int r = 0; r < rounds; ++r) {
      cpp.push_back(measure(
                        [&] {
                          sgemm(Kernel::simd, s.m, s.n, s.k, 1.0f, A.data(), A.ld(), B.data(), B.ld(), 0.0f, C.data(),
                                C.ld());
                        },
                        config)
                        .median_seconds);
      cblas.push_back(measure(
                          [&] {
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s.m, s.n, s.k, 1.0f, A.data(),
                                        A.ld(), B.data(), B.ld(), 0.0f, C.data(), C.ld());
                          },
                          config)
                          .median_seconds);
    }
    rows.push_back({s, median_of(cpp) * 1e9, median_of(cblas) * 1e9, rounds});
  }
  return rows;
}

void print_abi_table(std::FILE* out, const std::vector<AbiRow>& rows) {
  std::fprintf(out, "C ABI: ns per call, median of the rounds (C++ sgemm and cblas_sgemm alternating, simd)\n");
  std::fprintf(out, "  %-10s %10s %12s %10s\n", "M x N x K", "sgemm", "cblas_sgemm", "difference");
  for (const AbiRow& r : rows) {
    char shape[48];
    std::snprintf(shape, sizeof shape, "%dx%dx%d", r.shape.m, r.shape.n, r.shape.k);
    std::fprintf(out, "  %-10s %10.1f %12.1f %+10.1f  (%d rounds)\n", shape, r.cpp_ns, r.cblas_ns,
                 r.cblas_ns - r.cpp_ns, r.rounds);
  }
  std::fprintf(out, "\n");
}

}  // namespace gemmlab::bench
