// src/gemm/bf16_pack.hpp — internal: the AVX-512 packing of bf16 panels
// (bf16_pack_avx512.cpp), for the micro-kernels whose panels have these
// widths and groups: the Bf16PackFn contract of bf16_microkernel.hpp.
// Declared here without ISA flags; call them only where isa_supported(
// Isa::avx512) holds (the bf16 micro-kernels that name them need more).
#pragma once

#include "gemm/bf16_microkernel.hpp"

namespace gemmlab::detail {

#if defined(GEMMLAB_HAVE_AVX512)
// k in pairs (g = 2), 14 and 32 lanes: the AVX512-BF16 kernel's A and B,
// and AMX's B.
void pack_bf16_pairs_avx512_14(index lanes, int kc, int depth, Bf16Operand src, bf16* packed);
void pack_bf16_pairs_avx512_32(index lanes, int kc, int depth, Bf16Operand src, bf16* packed);
// k in groups of 32 (g = 32), 32 lanes: AMX's A.
void pack_bf16_rows32_avx512_32(index lanes, int kc, int depth, Bf16Operand src, bf16* packed);
#endif

}  // namespace gemmlab::detail
