// The SIMD kernels as the registry sees them (kernels.hpp): glue that picks,
// per call, the unpacked small-matrix path or the Goto/BLIS driver with the
// ISA's micro-kernel. A baseline file (no ISA flags): it only chooses and
// calls; the ISA-specific code is in the files named after their ISA.
#include <cstddef>

#include "gemm/blocking.hpp"
#include "gemm/kernels.hpp"
#include "gemm/small.hpp"

namespace gemmlab::detail {

#if defined(GEMMLAB_HAVE_AVX2)
void sgemm_avx2(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
                float* C, int ldc) {
  static const MicroKernelConfig& cfg = micro_kernel_config("avx2_6x16");
  goto_sgemm(cfg, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
#endif

#if defined(GEMMLAB_HAVE_NEON)
void sgemm_neon(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
                float* C, int ldc) {
  static const MicroKernelConfig& cfg = micro_kernel_config("neon_8x12");
  goto_sgemm(cfg, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
#endif

#if defined(GEMMLAB_HAVE_AVX512)
// The crossover between the small (unpacked) path and the packed driver,
// measured on the issue-5 machine (scratch harness, 1 thread, thread CPU
// time, median of 14 runs, GFLOP/s, 2026-11-27; the machine was shared and
// noisy, so differences under ~5% are noise):
//   square N          64    128    192    256    320    384    512   1024
//   small path       150    145    140    147    147    153    147     59
//   packed driver     76    100    135    140    141    113    148    134
//   skinny M x K=N    M=4,256  M=16,256  M=64,256  M=64,512
//   small path          109      153       149       142
//   packed driver        17       62       120       118
// Packing costs O(M*K + K*N) copies that only pay off when they are reused
// by many tiles and when the operands no longer fit the caches: up to
// 384^3 the unpacked tiles keep up (a 32-column strip of B, K * 128 bytes,
// and a tile's rows of A stay in L1/L2); at N = 1024 they fall to 59
// (B's strip is 128 KiB and its rows are 4 KiB apart, so they collide in
// the L1 sets). Whenever C has few rows (or few columns) packing is wasted.
bool use_small_path_avx512(int M, int N, int K) {
  const long long volume = static_cast<long long>(M) * N * K;
  const bool small_cube = volume <= 384LL * 384 * 384 && K <= 384;
  const bool skinny = (M <= 64 || N <= 64) && K <= 512;
  // Shallow: K <= 128 and B at most 128 x 512 (256 KiB, in L2): the rows of
  // A a tile needs (14 x K floats, <= 7 KiB) stay in L1 while B streams from
  // L2. RNN input projection 3200x256x128: 1.45-1.59 ms here, 1.53-1.92 ms
  // packed (three interleaved runs).
  const bool shallow = K <= 128 && static_cast<long long>(K) * N <= 128LL * 512;
  return small_cube || skinny || shallow;
}

void sgemm_avx512(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
                  float* C, int ldc) {
  if (use_small_path_avx512(M, N, K)) {
    // Skinny problems can still be large (64 x 4096 x 512): split them
    // between threads like the packed path, in blocks of whole tiles.
    // Below 2 * 256^3 flops (about 200 us) one thread is used, so the small
    // cases never touch the pool.
    constexpr double kMinParallelFlops = 2.0 * 256 * 256 * 256;
    split_between_threads(M, N, K, 14, 32, kMinParallelFlops, [&](int row0, int rows, int col0, int cols) {
      const std::ptrdiff_t r = row0;
      sgemm_small_avx512(rows, cols, K, alpha, A + r * lda, lda, B + col0, ldb, beta, C + r * ldc + col0, ldc);
    });
    return;
  }
  static const MicroKernelConfig& cfg = micro_kernel_config("avx512_14x32");
  goto_sgemm(cfg, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
#endif

}  // namespace gemmlab::detail
