// Kernel::blocked: the Goto/BLIS driver (goto.cpp) with the portable micro-
// kernel (microkernel_portable.hpp): cache blocking, packing and a register
// tile, all in plain C++ without intrinsics.
//
// Which copy of the micro-kernel runs: the same source is compiled for the
// baseline (SSE2 on x86-64) and, in microkernel_portable_avx2_4x16.cpp, with
// AVX2 + FMA. The choice is made once, from what the CPU reports, so the
// binary still runs on an x86-64 without AVX2 (and `make SIMD=none` builds
// only the baseline copy). On this lab's machine the baseline copy peaks near
// 25 GFLOP/s in cache and the AVX2 copy near 70 (docs: the blocked kernel).
#include "gemm/blocking.hpp"
#include "gemm/goto.hpp"
#include "gemm/kernels.hpp"

namespace gemmlab::detail {
namespace {

const MicroKernelConfig& portable_config() {
#if defined(GEMMLAB_HAVE_AVX2)
  const MicroKernelConfig& avx2 = micro_kernel_config("portable_avx2_4x16");
  if (avx2.cpu_supports()) return avx2;
#endif
  return micro_kernel_config("portable_4x16");
}

}  // namespace

const char* blocked_micro_kernel_name() { return portable_config().name; }

void sgemm_blocked(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
                   float* C, int ldc) {
  static const MicroKernelConfig& cfg = portable_config();  // chosen once (thread-safe static)
  goto_sgemm(cfg, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace gemmlab::detail
