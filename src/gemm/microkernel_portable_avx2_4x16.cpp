// The portable micro-kernel again, compiled with -mavx2 -mfma because this
// file's name contains "avx2" (see the Makefile). Not one intrinsic: the
// same C++ as microkernel_portable_4x16.cpp, which the compiler now turns
// into 256-bit fused multiply-adds. Kernel::blocked runs it when the CPU has
// AVX2 and FMA. The body, and why there are two copies: microkernel_portable.hpp.
#include "gemm/microkernel.hpp"
#include "gemm/microkernel_portable.hpp"

namespace gemmlab::detail {

namespace {

void microkernel_portable_avx2_4x16(int kc, float alpha, const float* a, const float* b, float beta, float* c, int ldc,
                                    int m, int n) {
  portable_microkernel(kc, alpha, a, b, beta, c, ldc, m, n);
}

}  // namespace

extern const MicroKernel portable_avx2_4x16{"portable_avx2_4x16", Isa::avx2_fma,     kPortableMR,
                                            kPortableNR,          kPortableBlocking, microkernel_portable_avx2_4x16};

}  // namespace gemmlab::detail
