// bench/peak_loops.hpp — the FMA-throughput loops that find the machine's peak.
//
// Each loop keeps `accumulators` independent chains
//     acc_i := acc_i * multiplier + addend
// in registers, one multiply-add per chain per iteration. A chain waits for
// its previous result (an FMA's latency is about 4 cycles), but the chains
// do not wait for each other: with two FMA units, 4 cycles x 2 units = 8
// chains in flight keep both units busy every cycle. The loops use 12, a
// margin over that for CPUs with longer latency, and still well inside the
// register file (16 vector registers with AVX2, 32 with AVX-512 and NEON).
// With multiplier < 1 the chains converge to addend / (1 - multiplier):
// no overflow and no denormals, which would slow the units down.
//
// Each loop returns the sum of its accumulators, so the compiler cannot drop
// the work. Flops per iteration = accumulators x lanes x 2 (multiply + add).
//
// The latency_loop_* functions run ONE such chain, so every FMA waits for
// the one before: iterations x (cycles per iteration) is the FMA's latency,
// the number the chain count above is chosen against (machine_model.hpp
// measures it: latency x FMA units = the chains needed to fill the units).
//
// The ISA loops live in their own files (peak_avx2.cpp, peak_avx512.cpp,
// peak_neon.cpp) compiled with that ISA's flags only; the Makefile defines
// GEMMLAB_BENCH_HAVE_<ISA> when it builds them. Those files hold only
// intrinsics and plain code (no std:: templates), see docs/benchmarking.md.
#pragma once

#include <cstdint>

namespace gemmlab::bench {

inline constexpr int peak_accumulators = 12;

// Plain C++ compiled for the baseline target, as the naive kernel is: one
// float multiply and one add per chain (no fused FMA on baseline x86-64).
float peak_loop_scalar(std::int64_t iterations, float multiplier, float addend);

#if defined(__SSE2__)
// 128-bit SSE2 multiply + add (4 lanes): the widest vectors portable C++ may be
// compiled to on baseline x86-64, with no FMA instruction.
float peak_loop_sse2(std::int64_t iterations, float multiplier, float addend);
#endif
#if defined(GEMMLAB_BENCH_HAVE_AVX2)
float peak_loop_avx2(std::int64_t iterations, float multiplier, float addend);     // 8 lanes, FMA
float latency_loop_avx2(std::int64_t iterations, float multiplier, float addend);  // one chain: see below
#endif
#if defined(GEMMLAB_BENCH_HAVE_AVX512)
float peak_loop_avx512(std::int64_t iterations, float multiplier, float addend);  // 16 lanes, FMA
float latency_loop_avx512(std::int64_t iterations, float multiplier, float addend);
#endif
#if defined(GEMMLAB_BENCH_HAVE_AVX512BF16)
// vdpbf16ps on peak_bf16_chains chains: acc += a[2j] b[2j] + a[2j+1] b[2j+1]
// per float lane. Twice the FMA loops' 12: with 12 chains the probe read
// about 12% less than with 24 on an AMD host whose 14 x 32 kernel (28
// accumulators) then ran faster than its own "peak" (docs/08-bf16-amx.md):
// the instruction's latency times its issue rate is more than 12 there.
inline constexpr int peak_bf16_chains = 24;
float peak_loop_avx512bf16(std::int64_t iterations, float multiplier, float addend);
#endif
#if defined(GEMMLAB_BENCH_HAVE_AMX)
// tdpbf16ps on peak_amx_tiles independent C tiles, A and B tiles fixed in
// registers (no memory traffic in the loop).
inline constexpr int peak_amx_tiles = 6;
float peak_loop_amx(std::int64_t iterations, float multiplier, float addend);
#endif
#if defined(GEMMLAB_BENCH_HAVE_NEON)
float peak_loop_neon(std::int64_t iterations, float multiplier, float addend);  // 4 lanes, FMA
float latency_loop_neon(std::int64_t iterations, float multiplier, float addend);
#endif

}  // namespace gemmlab::bench
