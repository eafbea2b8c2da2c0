// The portable micro-kernel, compiled for the target's baseline instruction
// set (x86-64: SSE2; aarch64: NEON). Kernel::blocked runs it on CPUs without
// AVX2 + FMA, and in builds without ISA-specific files (make SIMD=none).
// The body, and why there are two copies of it: microkernel_portable.hpp.
#include "gemm/microkernel.hpp"
#include "gemm/microkernel_portable.hpp"

namespace gemmlab::detail {

namespace {

void microkernel_portable_4x16(int kc, float alpha, const float* a, const float* b, float beta, float* c, int ldc,
                               int m, int n) {
  portable_microkernel(kc, alpha, a, b, beta, c, ldc, m, n);
}

}  // namespace

extern const MicroKernel portable_4x16{"portable_4x16", Isa::baseline,     kPortableMR,
                                       kPortableNR,     kPortableBlocking, microkernel_portable_4x16};

}  // namespace gemmlab::detail
