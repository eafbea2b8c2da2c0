// The SIMD kernels as the registry sees them (kernels.hpp): glue that picks,
// per call, the unpacked small-matrix path or the Goto/BLIS driver with the
// ISA's micro-kernel. A baseline file (no ISA flags): it only chooses and
// calls; the ISA-specific code is in the files named after their ISA.
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
// measured on the issue-5 machine (see the report there): below about
// 2 * 96^3 flops the unpacked tiles win, because the packing copies and the
// driver's loops cost more than the contiguity saves.
bool use_small_path_avx512(int M, int N, int K) { return static_cast<long long>(M) * N * K <= 96LL * 96 * 96; }

void sgemm_avx512(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
                  float* C, int ldc) {
  if (use_small_path_avx512(M, N, K)) {
    sgemm_small_avx512(M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  static const MicroKernelConfig& cfg = micro_kernel_config("avx512_14x32");
  goto_sgemm(cfg, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
#endif

}  // namespace gemmlab::detail
