// The AVX-512 micro-kernel: a 14 x 32 tile of C in 28 zmm registers.
//
// Contract: microkernel.hpp. Compiled with the AVX-512 flags (the Makefile
// recognises "avx512" in the file name); called only when the CPU has
// AVX-512 (F, VL, BW, DQ: CpuFeatures::avx512_f_vl_bw_dq).
//
// Why 14 x 32: each row of the tile is 32 floats = 2 zmm, so 14 rows hold
// 28 accumulators; with the 2 zmm of the current B row that is 30 of the 32
// zmm registers; each element of A is broadcast into the one spare zmm
// (GCC 12 emits vbroadcastss from memory, not the FMA's {1to16} form), used
// by two FMAs, then overwritten: 31 of the 32 registers.
// Per k step: 2 loads of B + 14 broadcasts of A feed 28 FMAs. This CPU
// (Sapphire/Emerald Rapids server core) issues 2 zmm FMAs per cycle with a
// latency of 4 cycles, so at least 2 x 4 = 8 independent accumulators are
// needed to hide the latency; 28 leave room to spare, and 16 loads per 28 FMAs
// (14 cycles) fit easily in the 2-3 loads per cycle the core can do.
// (BLIS's skx kernel is 32 x 12 in column-major terms, the same idea
// transposed; OpenBLAS's is 16 x 4 x 2.)
//
// Measured, step by step (1 thread, GFLOP/s, median of 14 runs timed by
// thread CPU time, square N, 2026-11-27, scratch harness of the issue-5
// report; two runs, the machine was shared):
//   step                                         N=256    512   1024   2048
//   no packing (small path on big N)              146-153 147-153  59-61  33-35
//   1 packed, plain k loop (commit a42f615)       128     137-138 124-130 101-115
//   2 + k unrolled by 4, A and C prefetch         125-127 133-140 113-126 123-130
//   3 + AVX-512 gather pack_a                     138-141 124-146 133-134 132-135
//   4 + MC 336 -> 112, C prefetch spread out      138-145 131-149 132-141 138-140
//   OpenBLAS 0.3.21 (SkylakeX kernels), same runs 141-149 144-150 138-143 149-153
//   5 + KC 256 -> 512, MC 112 -> 84 (blocking.cpp): gemmlab-bench, wall
//   clock, quiet machine (load < 1.2), 3 runs, 2026-11-27 12:30 UTC
//   (N = 256 runs the small path):    before 152-163 155-157 143-154 148-155
//                                     after  156-159 156     151-153 152-155
// The kernel alone, on panels in L1, runs at 171-175 (the FMA peak probe
// gives 173-177): what is left is memory traffic around it.
#include <immintrin.h>

#include <cstddef>

#include "gemm/microkernel.hpp"

namespace gemmlab::detail {
namespace {

constexpr int MR = 14;
constexpr int NR = 32;

// Masks for the columns [0, 16) and [16, 32) of a tile n columns wide.
__mmask16 low_mask(int n) { return n >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << n) - 1u); }
__mmask16 high_mask(int n) {
  return n >= 32 ? __mmask16(0xFFFF) : n <= 16 ? __mmask16(0) : __mmask16((1u << (n - 16)) - 1u);
}

// One step of the k loop: the rank-1 update acc += a(:, p) * b(p, :), with
// the 14 elements of A broadcast from memory and the 32 of B in two zmm.
[[gnu::always_inline]] inline void rank1_update(__m512 (&acc)[MR][2], const float* a, const float* b) {
  const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
  for (int i = 0; i < MR; ++i) {
    const __m512 ai = _mm512_set1_ps(a[i]);
    acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
    acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
  }
}

}  // namespace

void microkernel_avx512_14x32(int kc, float alpha, const float* a, const float* b, float beta, float* c, int ldc, int m,
                              int n) {
  __m512 acc[MR][2];
  for (auto& row : acc) row[0] = row[1] = _mm512_setzero_ps();

  // The k loop, unrolled by 4 (fewer loop branches and pointer updates per
  // FMA). The A micro-panel streams in from L2, so it is prefetched
  // kPrefetchA steps ahead. (With the table's KC = 512 the B micro-panel,
  // 64 KiB, comes from L2 too, not L1: see blocking.cpp. Its stream is one
  // contiguous run that the hardware prefetcher follows.)
  constexpr std::ptrdiff_t kPrefetchA = 16;           // 16 steps x 56 bytes = 896 bytes ahead
  constexpr std::ptrdiff_t a_step = MR, b_step = NR;  // floats per k step in each panel
  // The tile of C is needed only after the k loop: ask for one of its rows
  // (two cache lines) per unrolled step, so the likely misses overlap with
  // the FMAs without a burst of 28 prefetches filling the miss buffers.
  int c_row_to_prefetch = 0;
  int p = 0;
  for (; p + 4 <= kc; p += 4) {
    if (c_row_to_prefetch < m) {
      const float* row = c + static_cast<long>(c_row_to_prefetch) * ldc;
      _mm_prefetch(reinterpret_cast<const char*>(row), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(row + 31), _MM_HINT_T0);
      ++c_row_to_prefetch;
    }
    _mm_prefetch(reinterpret_cast<const char*>(a + kPrefetchA * a_step), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(a + kPrefetchA * a_step + 2 * a_step), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(a + kPrefetchA * a_step + 4 * a_step - 1), _MM_HINT_T0);
    rank1_update(acc, a, b);
    rank1_update(acc, a + a_step, b + b_step);
    rank1_update(acc, a + 2 * a_step, b + 2 * b_step);
    rank1_update(acc, a + 3 * a_step, b + 3 * b_step);
    a += 4 * a_step;
    b += 4 * b_step;
  }
  for (; p < kc; ++p) {
    rank1_update(acc, a, b);
    a += MR;
    b += NR;
  }

  // Write the m x n corner of the tile: masked stores never touch memory
  // past column n, and rows past m are not stored at all.
  const __mmask16 k0 = low_mask(n), k1 = high_mask(n);
  const __m512 va = _mm512_set1_ps(alpha);
  if (beta == 0.0f) {  // never read C
    for (int i = 0; i < m; ++i) {
      float* row = c + static_cast<long>(i) * ldc;
      _mm512_mask_storeu_ps(row, k0, _mm512_mul_ps(va, acc[i][0]));
      _mm512_mask_storeu_ps(row + 16, k1, _mm512_mul_ps(va, acc[i][1]));
    }
  } else {
    const __m512 vb = _mm512_set1_ps(beta);
    for (int i = 0; i < m; ++i) {
      float* row = c + static_cast<long>(i) * ldc;
      const __m512 c0 = _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(k0, row));
      const __m512 c1 = _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(k1, row + 16));
      _mm512_mask_storeu_ps(row, k0, _mm512_fmadd_ps(va, acc[i][0], c0));
      _mm512_mask_storeu_ps(row + 16, k1, _mm512_fmadd_ps(va, acc[i][1], c1));
    }
  }
}

// Packing A for this kernel (the layout of pack_a in goto.hpp, MR = 14).
// The portable pack_a reads A along its rows and scatters every element to
// its place in the panel, about 1.5 cycles per element (measured); at
// N = 1024 that is 5-10% of the whole multiplication. Here one AVX-512
// gather collects a whole column of the panel (14 elements, one from each
// row of A) and one masked store writes it: about 3x fewer instructions per
// element. Rows past mc are masked off in the gather, which leaves them zero.
void pack_a_avx512_14(int mc, int kc, const float* A, int lda, float* packed) {
  const long panel_floats = (static_cast<long>(MR) * kc + 15) / 16 * 16;  // panel_stride(MR, kc)
  // 32-bit gather offsets: row i of a panel is i * lda floats away. Beyond
  // 2^31 / MR floats (absurd for this library, but possible) use plain copies.
  const bool offsets_fit = lda <= (0x7fffffff / MR);
  for (int i0 = 0; i0 < mc; i0 += MR, packed += panel_floats) {
    const int rows = mc - i0 < MR ? mc - i0 : MR;
    const float* a = A + static_cast<long>(i0) * lda;
    if (!offsets_fit) {
      for (int p = 0; p < kc; ++p)
        for (int i = 0; i < MR; ++i)
          packed[static_cast<long>(p) * MR + i] = i < rows ? a[static_cast<long>(i) * lda + p] : 0.0f;
      continue;
    }
    const __m512i row_offsets = _mm512_mullo_epi32(
        _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32(lda));
    const __mmask16 real_rows = static_cast<__mmask16>((1u << rows) - 1u);
    const __mmask16 panel_rows = static_cast<__mmask16>((1u << MR) - 1u);
    for (int p = 0; p < kc; ++p) {
      const __m512 column = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), real_rows, row_offsets, a + p, 4);
      _mm512_mask_storeu_ps(packed + static_cast<long>(p) * MR, panel_rows, column);
    }
  }
}

// Packing B for this kernel (the layout of pack_b in goto.hpp, NR = 32).
// The portable pack_b copies each row's NR floats with a loop whose count
// is known only at run time: GCC 12 makes it 16-byte moves behind alias
// checks, and it moved about 13.5 GB/s even with B in cache (2 MiB block,
// 155 us; pk harness, 2026-11-27). Here a row of a panel is two 64-byte
// loads and two aligned 64-byte stores (the panels start on 64 bytes and a
// row is 128 bytes); the last, narrower panel loads with a mask, which reads
// nothing past column nc and leaves the padding zero.
void pack_b_avx512_32(int kc, int nc, const float* B, int ldb, float* packed) {
  const long panel_floats = (static_cast<long>(NR) * kc + 15) / 16 * 16;  // panel_stride(NR, kc)
  const int full_panels = nc / NR, edge_cols = nc % NR;
  const __mmask16 edge_low = low_mask(edge_cols), edge_high = high_mask(edge_cols);
  for (int p = 0; p < kc; ++p) {  // row by row, as the portable pack_b (prefetcher-friendly)
    const float* b_row = B + static_cast<long>(p) * ldb;
    float* dst = packed + static_cast<long>(p) * NR;
    for (int panel = 0; panel < full_panels; ++panel, b_row += NR, dst += panel_floats) {
      _mm512_store_ps(dst, _mm512_loadu_ps(b_row));
      _mm512_store_ps(dst + 16, _mm512_loadu_ps(b_row + 16));
    }
    if (edge_cols > 0) {
      _mm512_store_ps(dst, _mm512_maskz_loadu_ps(edge_low, b_row));
      _mm512_store_ps(dst + 16, _mm512_maskz_loadu_ps(edge_high, b_row + 16));
    }
  }
}

}  // namespace gemmlab::detail
