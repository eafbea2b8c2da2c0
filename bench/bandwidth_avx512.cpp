// AVX-512 read loop: 64-byte loads into 8 independent XOR accumulators.
// Compiled with the AVX-512 flags; called only when cpu_features() reports
// AVX-512F. Intrinsics and plain code only (see peak_loops.hpp).
#include <immintrin.h>

#include "bandwidth_loops.hpp"

namespace gemmlab::bench {

std::uint64_t read_loop_avx512(const std::uint64_t* data, std::size_t bytes, std::int64_t passes) {
  // Eight accumulators: a core that issues two loads per cycle keeps two
  // XORs in flight, so eight leave room for a wider core.
  __m512i x0 = _mm512_setzero_si512(), x1 = x0, x2 = x0, x3 = x0, x4 = x0, x5 = x0, x6 = x0, x7 = x0;
  const std::size_t lines = bytes / 64;
  for (std::int64_t pass = 0; pass < passes; ++pass) {
    const std::uint64_t* p = data;
    for (std::size_t line = 0; line < lines; line += 8, p += 64) {
      x0 = _mm512_xor_si512(x0, _mm512_load_si512(p));
      x1 = _mm512_xor_si512(x1, _mm512_load_si512(p + 8));
      x2 = _mm512_xor_si512(x2, _mm512_load_si512(p + 16));
      x3 = _mm512_xor_si512(x3, _mm512_load_si512(p + 24));
      x4 = _mm512_xor_si512(x4, _mm512_load_si512(p + 32));
      x5 = _mm512_xor_si512(x5, _mm512_load_si512(p + 40));
      x6 = _mm512_xor_si512(x6, _mm512_load_si512(p + 48));
      x7 = _mm512_xor_si512(x7, _mm512_load_si512(p + 56));
    }
  }
  const __m512i all = _mm512_xor_si512(_mm512_xor_si512(_mm512_xor_si512(x0, x1), _mm512_xor_si512(x2, x3)),
                                       _mm512_xor_si512(_mm512_xor_si512(x4, x5), _mm512_xor_si512(x6, x7)));
  alignas(64) std::uint64_t lanes[8];
  _mm512_store_si512(lanes, all);
  std::uint64_t folded = 0;
  for (std::uint64_t lane : lanes) folded ^= lane;
  return folded;
}

}  // namespace gemmlab::bench
