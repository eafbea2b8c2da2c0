// src/core/bf16_convert.hpp — internal: the array conversions between float
// and bf16, one pair per ISA, behind gemmlab::to_bf16 / to_float on spans.
//
// Every variant gives the scalar conversions' result (gemmlab/bf16.hpp) for
// every input, bit for bit: tests/test_bf16.cpp checks all 2^32 floats. The
// public array functions check the sizes, then run the variant that
// bf16_convert_isa() names, chosen once (cpu_features() honours
// GEMMLAB_DISABLE_ISA). Raw pointers and a count: the spans stop at the API.
#pragma once

#include <cstddef>

#include "core/isa.hpp"
#include "gemmlab/bf16.hpp"

namespace gemmlab::detail {

// The scalar conversions in a loop (bf16.cpp), for every CPU.
void to_bf16_baseline(const float* in, bf16* out, std::size_t count);
void to_float_baseline(const bf16* in, float* out, std::size_t count);

// 16 values a step with a masked tail (bf16_avx512.cpp); only when
// isa_supported(Isa::avx512). GEMMLAB_HAVE_AVX512 is set by the Makefile when
// the build compiles src/ files named *avx512*.
#if defined(GEMMLAB_HAVE_AVX512)
void to_bf16_avx512(const float* in, bf16* out, std::size_t count);
void to_float_avx512(const bf16* in, float* out, std::size_t count);
#endif

// The ISA whose loops the public array functions run here: Isa::avx512 or
// Isa::baseline.
Isa bf16_convert_isa();

}  // namespace gemmlab::detail
