// The AVX-512 packing of bf16 panels (bf16_pack.hpp): 16 values a step,
// rounded from float with narrow16 (exactly the scalar rounding) or copied
// from bf16, then arranged into the panel layout of bf16_microkernel.hpp.
// The portable pack_bf16_panels does the same one element at a time; it
// rounds a float in about a dozen scalar operations, and at N = 1024 the
// rounding while packing cost the AVX512-BF16 kernel 15-35% of its speed
// (docs/08-bf16-amx.md).
//
// Of the three kinds of source (microkernel.hpp, "PACKING"):
//   * lanes contiguous (B untransposed, A transposed), pairs: steps 2q and
//     2q+1 of 16 lanes are two runs of the source; widening each 16-bit value
//     into a 32-bit lane and putting step 2q+1 in the upper half makes the 16
//     pairs of the panel row in one vector;
//   * steps contiguous (A untransposed, B transposed), pairs: each lane's
//     32 steps are 16 pairs, one 32-bit lane each; 16 lanes x 16 pairs are
//     transposed in registers (transpose_avx512.hpp, on the bits) into 16
//     panel rows;
//   * steps contiguous, groups of 32 (AMX A): each lane's 32 steps are one
//     64-byte row of the panel, copied as they are;
//   * anything else: the portable routine.
// Masked loads never read past the source's lanes or kc (those lanes and
// steps come out zero); masked stores never write past the panel.
#include <immintrin.h>

#include <bit>
#include <cstddef>

#include "core/bf16_round_avx512.hpp"
#include "gemm/bf16_pack.hpp"
#include "gemm/transpose_avx512.hpp"

namespace gemmlab::detail {
namespace {

// 16 consecutive source elements from `offset` as 16 bf16 (a float source
// rounded), lanes outside `mask` zero and never read.
template <Storage S>
[[gnu::always_inline]] inline __m256i load16(const Bf16Operand& src, index offset, __mmask16 mask) {
  if constexpr (S == Storage::f32)
    return narrow16(_mm512_maskz_loadu_epi32(mask, static_cast<const float*>(src.data) + offset));
  else
    return _mm256_maskz_loadu_epi16(mask, static_cast<const bf16*>(src.data) + offset);
}

// Two runs of 16 bf16 as 16 pairs: lane j = (x[j], y[j]), x in the low half.
[[gnu::always_inline]] inline __m512i interleave(__m256i x, __m256i y) {
  constexpr __mmask16 all = 0xFFFF;
  const __m512i low = _mm512_maskz_cvtepu16_epi32(all, x);
  const __m512i high = _mm512_maskz_slli_epi32(all, _mm512_maskz_cvtepu16_epi32(all, y), 16);
  return _mm512_or_si512(low, high);
}

// Two runs of 16 bf16 side by side: 32 consecutive bf16. (Zero-masked
// inserts with every lane selected: GCC 12's plain insert and its
// cast / zero-extension pass an undefined vector that -Wmaybe-uninitialized
// reports, a false positive.)
[[gnu::always_inline]] inline __m512i concatenate(__m256i x, __m256i y) {
  const __m512i low = _mm512_maskz_inserti64x4(0xFF, _mm512_setzero_si512(), x, 0);
  return _mm512_maskz_inserti64x4(0xFF, low, y, 1);
}

// g = 2, lanes contiguous.
template <int W, Storage S>
void pairs_from_runs(index lanes, int kc, int depth, const Bf16Operand& src, bf16* packed) {
  const std::size_t stride = bf16_panel_stride(W, depth);
  for (index w0 = 0; w0 < lanes; w0 += W, packed += stride)
    for (int c = 0; c < W; c += 16) {
      const __mmask16 real = first_lanes(lanes - w0 - c), stored = first_lanes(W - c);
      for (int q = 0; q < depth / 2; ++q) {
        const int p = 2 * q;
        const __m256i x =
            p < kc ? load16<S>(src, (w0 + c) * src.row_stride + p * src.col_stride, real) : _mm256_setzero_si256();
        const __m256i y = p + 1 < kc ? load16<S>(src, (w0 + c) * src.row_stride + (p + 1) * src.col_stride, real)
                                     : _mm256_setzero_si256();
        _mm512_mask_storeu_epi32(packed + (static_cast<index>(q) * W + c) * 2, stored, interleave(x, y));
      }
    }
}

// g = 2, steps contiguous: 16 lanes x 16 pairs transposed at a time.
template <int W, Storage S>
void pairs_from_lanes(index lanes, int kc, int depth, const Bf16Operand& src, bf16* packed) {
  const std::size_t stride = bf16_panel_stride(W, depth);
  for (index w0 = 0; w0 < lanes; w0 += W, packed += stride)
    for (int c = 0; c < W; c += 16) {
      const index rows = lanes - w0 - c;  // real lanes in this group (may be <= 0: all padding)
      const __mmask16 stored = first_lanes(W - c);
      for (int p0 = 0; p0 < depth; p0 += 32) {
        const __mmask16 low = first_lanes(kc - p0), high = first_lanes(kc - p0 - 16);
        __m512 block[16];
        for (int i = 0; i < 16; ++i) {
          if (i >= rows) {
            block[i] = _mm512_setzero_ps();
            continue;
          }
          const index lane = (w0 + c + i) * src.row_stride + p0;  // col_stride == 1
          const __m256i x = low != 0 ? load16<S>(src, lane, low) : _mm256_setzero_si256();
          const __m256i y = high != 0 ? load16<S>(src, lane + 16, high) : _mm256_setzero_si256();
          block[i] = _mm512_castsi512_ps(concatenate(x, y));  // 16 pairs of lane i, as bits
        }
        transpose_16x16(block);  // block[j]: pair j of the 16 lanes
        const int pairs = depth - p0 >= 32 ? 16 : (depth - p0) / 2;
        for (int j = 0; j < pairs; ++j)
          _mm512_mask_storeu_ps(packed + ((static_cast<index>(p0) / 2 + j) * W + c) * 2, stored, block[j]);
      }
    }
}

// g = 32, steps contiguous: every lane's 32 steps one row of the panel.
template <int W, Storage S>
void rows32_from_lanes(index lanes, int kc, int depth, const Bf16Operand& src, bf16* packed) {
  const std::size_t stride = bf16_panel_stride(W, depth);
  for (index w0 = 0; w0 < lanes; w0 += W, packed += stride)
    for (int w = 0; w < W; ++w) {
      const bool real = w0 + w < lanes;
      for (int p0 = 0; p0 < depth; p0 += 32) {
        __m512i row = _mm512_setzero_si512();
        if (real) {
          const __mmask16 low = first_lanes(kc - p0), high = first_lanes(kc - p0 - 16);
          const index lane = (w0 + w) * src.row_stride + p0;
          const __m256i x = low != 0 ? load16<S>(src, lane, low) : _mm256_setzero_si256();
          const __m256i y = high != 0 ? load16<S>(src, lane + 16, high) : _mm256_setzero_si256();
          row = concatenate(x, y);
        }
        _mm512_storeu_si512(packed + static_cast<index>(p0) * W + static_cast<index>(w) * 32, row);
      }
    }
}

template <int W>
void pack_pairs(index lanes, int kc, int depth, Bf16Operand src, bf16* packed) {
  const bool f32 = src.storage == Storage::f32;
  if (src.row_stride == 1) {
    if (f32)
      pairs_from_runs<W, Storage::f32>(lanes, kc, depth, src, packed);
    else
      pairs_from_runs<W, Storage::bf16>(lanes, kc, depth, src, packed);
  } else if (src.col_stride == 1) {
    if (f32)
      pairs_from_lanes<W, Storage::f32>(lanes, kc, depth, src, packed);
    else
      pairs_from_lanes<W, Storage::bf16>(lanes, kc, depth, src, packed);
  } else {
    pack_bf16_panels(W, 2, depth, lanes, kc, src, packed);
  }
}

}  // namespace

void pack_bf16_pairs_avx512_14(index lanes, int kc, int depth, Bf16Operand src, bf16* packed) {
  pack_pairs<14>(lanes, kc, depth, src, packed);
}

void pack_bf16_pairs_avx512_32(index lanes, int kc, int depth, Bf16Operand src, bf16* packed) {
  pack_pairs<32>(lanes, kc, depth, src, packed);
}

void pack_bf16_rows32_avx512_32(index lanes, int kc, int depth, Bf16Operand src, bf16* packed) {
  if (src.col_stride != 1) {
    pack_bf16_panels(32, 32, depth, lanes, kc, src, packed);
  } else if (src.storage == Storage::f32) {
    rows32_from_lanes<32, Storage::f32>(lanes, kc, depth, src, packed);
  } else {
    rows32_from_lanes<32, Storage::bf16>(lanes, kc, depth, src, packed);
  }
}

}  // namespace gemmlab::detail
