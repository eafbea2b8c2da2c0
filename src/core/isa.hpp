// src/core/isa.hpp — internal: the instruction sets a kernel can need, and
// the one place that asks the CPU (and the OS) whether each can run.
//
// Every kernel, micro-kernel, packing routine and activation names one Isa;
// nothing else in the library tests CPU feature bits.
#pragma once

#include <string>
#include <string_view>

namespace gemmlab::detail {

enum class Isa {
  baseline,  // what the whole build targets: SSE2 on x86-64, NEON on aarch64
  avx2_fma,  // x86-64 AVX2 with FMA3, 256-bit registers
  avx512,    // x86-64 AVX-512 F, VL, BW and DQ (what the *avx512* files are compiled for)
  neon,      // aarch64 Advanced SIMD (part of every ARMv8-A core)
  // x86-64 AVX-512 as above plus AVX512_BF16 (vdpbf16ps: bf16 pairs, dot
  // products into float), what the *avx512bf16* files are compiled for.
  avx512_bf16,
  // x86-64 AMX-TILE and AMX-BF16 (tdpbf16ps on 1 KiB tile registers), with
  // the OS's tile state and permission, plus AVX-512 as above (the AMX files
  // also use zmm registers): what the *amx* files are compiled for.
  amx_bf16,
};

// True when this CPU has the instructions and the OS saves their registers
// (cpu_features(), which also honours GEMMLAB_DISABLE_ISA).
bool isa_supported(Isa isa);

// Why isa_supported(isa) is false, in words ("the CPU lacks AVX512_BF16",
// "the OS refused ..."); empty when it is true.
std::string isa_why_not(Isa isa);

// For people: "baseline", "AVX2+FMA", "AVX-512", "NEON", "AVX512-BF16", "AMX-BF16".
std::string_view isa_name(Isa isa);

// The bench's peak probe that measures this instruction set's FMA (or
// multiply + add) throughput: "sse2" or "neon" for the baseline of x86-64 or
// aarch64, "avx2", "avx512", "neon"; "avx512bf16" (vdpbf16ps) and "amx"
// (tdpbf16ps) for the bf16 instruction sets.
std::string_view isa_peak_probe(Isa isa);

}  // namespace gemmlab::detail
