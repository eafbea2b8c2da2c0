// bench/bandwidth_loops.hpp — the read loops of the bandwidth probes.
//
// Each loop reads `bytes` bytes (a multiple of 512, 64-byte aligned) from the
// start of `data`, `passes` times, and folds what it read into a value it
// returns (an XOR, so that the compiler cannot drop the loads). XOR rather
// than a float sum: it has a one-cycle latency, so a few independent
// accumulators keep the loads, not the arithmetic, the limit.
//
// The widest loads a kernel uses are the ones that matter for its roofline,
// so the ISA loops live in their own files (bandwidth_avx2.cpp,
// bandwidth_avx512.cpp) with that ISA's flags, as the peak loops do.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gemmlab::bench {

// Plain C++ for the baseline target: the compiler vectorises it to the
// baseline's vectors (16-byte SSE2 loads on x86-64, NEON on ARM64).
std::uint64_t read_loop_baseline(const std::uint64_t* data, std::size_t bytes, std::int64_t passes);
#if defined(GEMMLAB_BENCH_HAVE_AVX2)
std::uint64_t read_loop_avx2(const std::uint64_t* data, std::size_t bytes, std::int64_t passes);  // 32-byte loads
#endif
#if defined(GEMMLAB_BENCH_HAVE_AVX512)
std::uint64_t read_loop_avx512(const std::uint64_t* data, std::size_t bytes, std::int64_t passes);  // 64-byte loads
#endif

}  // namespace gemmlab::bench
