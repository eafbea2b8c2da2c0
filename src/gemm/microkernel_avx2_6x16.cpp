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
//
// Every loop over the rows of the tile says `#pragma GCC unroll`: GCC keeps
// an array of registers like acc in registers only if every index into it is
// a constant once the loops are unrolled, everywhere in the function (the
// zeroing, the update and the stores). Where one loop is left rolled, GCC 12
// keeps acc in memory and stores all 12 accumulators on every step of k,
// which costs a seventh of the speed (docs/tuning-notes.md, "SIMD
// micro-kernel"). Clang needs no pragma, and obeys it.
[[gnu::always_inline]] inline void rank1_update(__m256 (&acc)[MR][2], const float* a, const float* b) {
  const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i) {
    const __m256 ai = _mm256_broadcast_ss(a + i);
    acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
    acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
  }
}

void microkernel_avx2_6x16(int kc, float alpha, const float* a, const float* b, float beta, float* c, int ldc, int m,
                           int n) {
  // Ask for the tile of C now: it is needed only after the k loop, so the
  // likely cache misses overlap with the arithmetic.
  for (int i = 0; i < m; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + static_cast<std::ptrdiff_t>(i) * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + static_cast<std::ptrdiff_t>(i) * ldc + 15), _MM_HINT_T0);
  }

  __m256 acc[MR][2] = {};  // all zero

  // The k loop. The B micro-panel stays in L1 across the 1st loop of the
  // driver; the A micro-panel streams from L2 in order, which the hardware
  // prefetcher follows by itself. Not unrolled by hand: unrolled by 4, GCC 12
  // hoists the next steps' B loads, runs out of the 16 ymm registers and
  // spills accumulators, which is slower (docs/04-simd-microkernel.md); the
  // loop's own cost (2 adds, a compare and a branch per 12 FMAs) is hidden.
  for (int p = 0; p < kc; ++p, a += MR, b += NR) rank1_update(acc, a, b);

  // C := alpha * acc + beta * C on the m x n corner of the tile. The row
  // loops run over all MR rows with constant indices (see rank1_update) and
  // skip the rows past m.
  const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
  if (n == NR) {  // whole rows: plain unaligned loads and stores
#pragma GCC unroll 6
    for (int i = 0; i < MR; ++i) {
      if (i >= m) continue;
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
#pragma GCC unroll 6
  for (int i = 0; i < MR; ++i) {
    if (i >= m) continue;
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

}  // namespace

// The descriptor (microkernel.hpp). Block sizes, for the caches of the
// machine it was tuned on (L1d 48 KiB, L2 2 MiB per core):
//   KC = 512: B micro-panel 512 * 16 * 4 = 32 KiB, A micro-panel
//             512 * 6 * 4 = 12 KiB: 44 KiB of the 48 KiB L1. KC = 512 rather
//             than 256: each call amortises its fixed cost (zeroing, the C
//             tile) over twice the FMAs (measured: docs/tuning-notes.md, "Packing").
//   MC = 120 (20 * MR): packed A block 120 * 512 * 4 = 240 KiB of the 2 MiB L2.
//   NC = 4096 (256 * NR): packed B block 512 * 4096 * 4 = 8 MiB, in L3.
// Packing: the portable routines (nullptr), which the driver calls.
extern const MicroKernel avx2_6x16{"avx2_6x16", Isa::avx2_fma, MR, NR, {120, 512, 4096}, microkernel_avx2_6x16};

}  // namespace gemmlab::detail
