// src/core/isa.hpp — internal: the instruction sets a kernel can need, and
// the one place that asks the CPU (and the OS) whether each can run.
//
// Every kernel, micro-kernel, packing routine and activation names one Isa;
// nothing else in the library tests CPU feature bits.
#pragma once

#include <string_view>

namespace gemmlab::detail {

enum class Isa {
  baseline,  // what the whole build targets: SSE2 on x86-64, NEON on aarch64
  avx2_fma,  // x86-64 AVX2 with FMA3, 256-bit registers
  avx512,    // x86-64 AVX-512 F, VL, BW and DQ (what the *avx512* files are compiled for)
  neon,      // aarch64 Advanced SIMD (part of every ARMv8-A core)
};

// True when this CPU has the instructions and the OS saves their registers
// (cpu_features(), which also honours GEMMLAB_DISABLE_ISA).
bool isa_supported(Isa isa);

// For people: "baseline", "AVX2+FMA", "AVX-512", "NEON".
std::string_view isa_name(Isa isa);

// The bench's peak probe that measures this instruction set's FMA (or
// multiply + add) throughput: "sse2" or "neon" for the baseline of x86-64 or
// aarch64, "avx2", "avx512", "neon".
std::string_view isa_peak_probe(Isa isa);

}  // namespace gemmlab::detail
