// The portable bf16 micro-kernel again, compiled with -mavx2 -mfma because
// this file's name contains "avx2". The same C++ as
// microkernel_bf16_portable_4x16.cpp, which the compiler turns into 256-bit
// widening shifts and fused multiply-adds. Kernel::bf16_blocked runs it when
// the CPU has AVX2 and FMA (and `simd` falls back to it without AVX512-BF16).
#include "gemm/microkernel_bf16_portable.hpp"

namespace gemmlab::detail {
namespace {

void microkernel_bf16_portable_avx2_4x16(int depth, float alpha, const bf16* a, const bf16* b, float beta, float* c,
                                         int ldc, int m, int n) {
  bf16_portable_microkernel(depth, alpha, a, b, beta, c, ldc, m, n);
}

}  // namespace

extern const Bf16MicroKernel bf16_portable_avx2_4x16{
    .name = "bf16_portable_avx2_4x16",
    .isa = Isa::avx2_fma,
    .mr = kBf16PortableMR,
    .nr = kBf16PortableNR,
    .a_group = 2,
    .b_group = 2,
    .depth_multiple = 2,
    .blocking = kBf16PortableBlocking,
    .fn = microkernel_bf16_portable_avx2_4x16,
};

}  // namespace gemmlab::detail
