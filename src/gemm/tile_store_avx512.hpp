// src/gemm/tile_store_avx512.hpp — internal: the write-back of a tile of C
// whose rows are 32 floats (two zmm), shared by the AVX-512 micro-kernels
// (float 14 x 32, AVX512-BF16 14 x 32, AMX 32 x 32). Included only by files
// compiled with the AVX-512 flags, so every copy of it is AVX-512 code (the
// reasoning of transpose_avx512.hpp).
#pragma once

#include <immintrin.h>

#include "gemm/problem.hpp"
#include "gemm/transpose_avx512.hpp"

namespace gemmlab::detail {

// C[0:m, 0:n] := alpha * acc + beta * C, acc[i][0] holding columns 0..15 of
// row i and acc[i][1] columns 16..31. Masked stores never touch memory past
// column n, rows past m are not stored at all, and beta == 0 never reads C
// (it may hold NaN).
template <int MR>
[[gnu::always_inline]] inline void store_tile_32(const __m512 (&acc)[MR][2], float alpha, float beta, float* c, int ldc,
                                                 int m, int n) {
  const __mmask16 k0 = first_lanes(n), k1 = first_lanes(n - 16);
  const __m512 va = _mm512_set1_ps(alpha);
  if (beta == 0.0f) {
    for (int i = 0; i < m; ++i) {
      float* row = c + static_cast<index>(i) * ldc;
      _mm512_mask_storeu_ps(row, k0, _mm512_mul_ps(va, acc[i][0]));
      _mm512_mask_storeu_ps(row + 16, k1, _mm512_mul_ps(va, acc[i][1]));
    }
  } else {
    const __m512 vb = _mm512_set1_ps(beta);
    for (int i = 0; i < m; ++i) {
      float* row = c + static_cast<index>(i) * ldc;
      const __m512 c0 = _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(k0, row));
      const __m512 c1 = _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(k1, row + 16));
      _mm512_mask_storeu_ps(row, k0, _mm512_fmadd_ps(va, acc[i][0], c0));
      _mm512_mask_storeu_ps(row + 16, k1, _mm512_fmadd_ps(va, acc[i][1], c1));
    }
  }
}

}  // namespace gemmlab::detail
