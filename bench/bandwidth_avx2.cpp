// AVX2 read loop: 32-byte loads into 8 independent XOR accumulators.
// Compiled with the AVX2 flags; called only when cpu_features() reports
// AVX2. Intrinsics and plain code only (see peak_loops.hpp).
#include <immintrin.h>

#include "bandwidth_loops.hpp"

namespace gemmlab::bench {

std::uint64_t read_loop_avx2(const std::uint64_t* data, std::size_t bytes, std::int64_t passes) {
  __m256i x0 = _mm256_setzero_si256(), x1 = x0, x2 = x0, x3 = x0, x4 = x0, x5 = x0, x6 = x0, x7 = x0;
  const std::size_t chunks = bytes / 256;  // 8 loads of 32 bytes
  for (std::int64_t pass = 0; pass < passes; ++pass) {
    const std::uint64_t* p = data;
    for (std::size_t c = 0; c < chunks; ++c, p += 32) {
      x0 = _mm256_xor_si256(x0, _mm256_load_si256(reinterpret_cast<const __m256i*>(p)));
      x1 = _mm256_xor_si256(x1, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + 4)));
      x2 = _mm256_xor_si256(x2, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + 8)));
      x3 = _mm256_xor_si256(x3, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + 12)));
      x4 = _mm256_xor_si256(x4, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + 16)));
      x5 = _mm256_xor_si256(x5, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + 20)));
      x6 = _mm256_xor_si256(x6, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + 24)));
      x7 = _mm256_xor_si256(x7, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + 28)));
    }
  }
  const __m256i all = _mm256_xor_si256(_mm256_xor_si256(_mm256_xor_si256(x0, x1), _mm256_xor_si256(x2, x3)),
                                       _mm256_xor_si256(_mm256_xor_si256(x4, x5), _mm256_xor_si256(x6, x7)));
  alignas(32) std::uint64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), all);
  return lanes[0] ^ lanes[1] ^ lanes[2] ^ lanes[3];
}

}  // namespace gemmlab::bench
