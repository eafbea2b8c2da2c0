// The portable bf16 micro-kernel, compiled for the target's baseline
// (x86-64: SSE2; aarch64: NEON). Kernel::bf16_blocked runs it on CPUs
// without AVX2 + FMA, and in builds without ISA-specific files (make
// SIMD=none). The body, and why there are two copies: microkernel_bf16_portable.hpp.
#include "gemm/microkernel_bf16_portable.hpp"

namespace gemmlab::detail {
namespace {

void microkernel_bf16_portable_4x16(int depth, float alpha, const bf16* a, const bf16* b, float beta, float* c, int ldc,
                                    int m, int n) {
  bf16_portable_microkernel(depth, alpha, a, b, beta, c, ldc, m, n);
}

}  // namespace

extern const Bf16MicroKernel bf16_portable_4x16{
    .name = "bf16_portable_4x16",
    .isa = Isa::baseline,
    .mr = kBf16PortableMR,
    .nr = kBf16PortableNR,
    .a_group = 2,
    .b_group = 2,
    .depth_multiple = 2,
    .blocking = kBf16PortableBlocking,
    .fn = microkernel_bf16_portable_4x16,
};

}  // namespace gemmlab::detail
