// The AVX2 micro-kernel: a 6 x 16 tile of C in 12 ymm registers.
//
// Contract: microkernel.hpp. Compiled with -mavx2 -mfma (the Makefile
// recognises "avx2" in the file name); called only when the CPU has AVX2 and
// FMA.
//
// Why 6 x 16: each row of the tile is 16 floats = 2 ymm, so 6 rows hold 12
// accumulators; with the 2 ymm of the current B row and 1 for the broadcast
// element of A that is 15 of the 16 ymm registers. Per k step: 2 loads of B
// + 6 broadcasts of A feed 12 FMAs. This core issues 2 FMAs per cycle with a
// latency of 4 cycles, so at least 2 x 4 = 8 independent accumulators are
// needed to keep both FMA units busy; 12 leave slack. A taller tile (8 x 16)
// would need 16 accumulators and spill; a wider one (4 x 24) needs 3 loads
// of B per 12 FMAs, more than the 2 per 12 here. This is the tile of BLIS's
// Haswell kernel (6 x 16 in row-major terms, bli_sgemm_haswell_asm_6x16) and
// of many AVX2 tutorials; the code is ours.
//
// Edges: rows past m are never loaded or stored; columns past n are masked
// with vmaskmovps, which neither reads nor writes the masked-out lanes (and
// cannot fault on them), so no memory outside C is touched.
#include <immintrin.h>

#include <cstddef>

#include "gemm/microkernel.hpp"

namespace gemmlab::detail {
namespace {

constexpr int MR = 6;
constexpr int NR = 16;

// Lane masks for the columns [0, 8) and [8, 16) of a tile n columns wide:
// lane j is on (all bits set) when first + j < n.
__m256i column_mask(int first, int n) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n - first), lane);
}

// One step of the k loop: the rank-1 update acc += a(:, p) * b(p, :), with
// the 16 elements of the B row in two ymm and each of the 6 elements of A
// broadcast from memory in turn.
[[gnu::always_inline]] inline void rank1_update(__m256 (&acc)[MR][2], const float* a, const float* b) {
  const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
  for (int i = 0; i < MR; ++i) {
    const __m256 ai = _mm256_broadcast_ss(a + i);
    acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
    acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
  }
}

}  // namespace

void microkernel_avx2_6x16(int kc, float alpha, const float* a, const float* b, float beta, float* c, int ldc, int m,
                           int n) {
  // Ask for the tile of C now: it is needed only after the k loop, so the
  // likely cache misses overlap with the arithmetic.
  for (int i = 0; i < m; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + static_cast<std::ptrdiff_t>(i) * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + static_cast<std::ptrdiff_t>(i) * ldc + 15), _MM_HINT_T0);
  }

  __m256 acc[MR][2];
  for (int i = 0; i < MR; ++i) acc[i][0] = acc[i][1] = _mm256_setzero_ps();

  // The k loop, unrolled by 4 (fewer branches and pointer updates per FMA).
  // The B micro-panel stays in L1 across the 1st loop of the driver; the A
  // micro-panel streams from L2, so it is prefetched kPrefetchA steps ahead.
  constexpr int kPrefetchA = 16;  // 16 steps x 24 bytes = 384 bytes ahead
  int p = 0;
  for (; p + 4 <= kc; p += 4) {
    _mm_prefetch(reinterpret_cast<const char*>(a + kPrefetchA * MR), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(a + kPrefetchA * MR + 4 * MR - 1), _MM_HINT_T0);
    rank1_update(acc, a, b);
    rank1_update(acc, a + MR, b + NR);
    rank1_update(acc, a + 2 * MR, b + 2 * NR);
    rank1_update(acc, a + 3 * MR, b + 3 * NR);
    a += 4 * MR;
    b += 4 * NR;
  }
  for (; p < kc; ++p) {
    rank1_update(acc, a, b);
    a += MR;
    b += NR;
  }

  // C := alpha * acc + beta * C on the m x n corner of the tile.
  const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
  if (n == NR) {  // whole rows: plain unaligned loads and stores
    for (int i = 0; i < m; ++i) {
      float* row = c + static_cast<std::ptrdiff_t>(i) * ldc;
      __m256 r0 = _mm256_mul_ps(va, acc[i][0]), r1 = _mm256_mul_ps(va, acc[i][1]);
      if (beta != 0.0f) {  // beta == 0 never reads C (it may hold NaN)
        r0 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(row), r0);
        r1 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(row + 8), r1);
      }
      _mm256_storeu_ps(row, r0);
      _mm256_storeu_ps(row + 8, r1);
    }
    return;
  }
  const __m256i k0 = column_mask(0, n), k1 = column_mask(8, n);
  for (int i = 0; i < m; ++i) {
    float* row = c + static_cast<std::ptrdiff_t>(i) * ldc;
    __m256 r0 = _mm256_mul_ps(va, acc[i][0]), r1 = _mm256_mul_ps(va, acc[i][1]);
    if (beta != 0.0f) {
      r0 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(row, k0), r0);
      r1 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(row + 8, k1), r1);
    }
    _mm256_maskstore_ps(row, k0, r0);
    _mm256_maskstore_ps(row + 8, k1, r1);
  }
}

}  // namespace gemmlab::detail
