// The SIMD kernels as the registry sees them (kernels.hpp): glue that picks,
// per call, the unpacked small-matrix path or the Goto/BLIS driver with the
// ISA's micro-kernel. A baseline file (no ISA flags): it only chooses and
// calls; the ISA-specific code is in the files named after their ISA.
#include "gemm/blocking.hpp"
#include "gemm/kernels.hpp"

namespace gemmlab::detail {

#if defined(GEMMLAB_HAVE_AVX2)
void sgemm_avx2(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
                float* C, int ldc) {
  static const MicroKernelConfig& cfg = micro_kernel_config("avx2_6x16");
  goto_sgemm(cfg, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
#endif

#if defined(GEMMLAB_HAVE_AVX512)
void sgemm_avx512(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
                  float* C, int ldc) {
  static const MicroKernelConfig& cfg = micro_kernel_config("avx512_14x32");
  goto_sgemm(cfg, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
#endif

}  // namespace gemmlab::detail
