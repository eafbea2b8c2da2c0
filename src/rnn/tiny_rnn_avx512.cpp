// The tiny RNN's forward pass in AVX-512 registers (tiny_rnn.hpp says what
// and why). One function template per batch size, so that the batch rows'
// accumulators are arrays the compiler keeps in registers.
#include <immintrin.h>

#include "rnn/tanh_avx512.hpp"
#include "rnn/tiny_rnn.hpp"

namespace gemmlab::detail {
namespace {

// acc[i] := sum over k < K of A(i, k) * W(k, :), from zero, k ascending, as
// the small path's k loop (A's element broadcast, W's row one vector).
template <int B>
[[gnu::always_inline]] inline void rank_k(__m512 (&acc)[B], const float* A, index lda, const float* W, int K) {
#pragma GCC unroll 8
  for (int i = 0; i < B; ++i) acc[i] = _mm512_setzero_ps();
  for (int k = 0; k < K; ++k) {
    const __m512 w = _mm512_loadu_ps(W + static_cast<index>(k) * tiny_rnn_width);
#pragma GCC unroll 8
    for (int i = 0; i < B; ++i) acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(A[i * lda + k]), w, acc[i]);
  }
}

template <int B, bool RELU>
void forward(const TinyRnn& r) {
  const __m512 bias = _mm512_loadu_ps(r.bias);
  const __m512 one = _mm512_set1_ps(1.0f);
  for (int t = 0; t < r.steps; ++t) {
    // x_t · Wx (the general path computes all steps' at once: the same sums).
    __m512 pre[B];
    rank_k<B>(pre, r.x + static_cast<index>(t) * B * r.ldx, r.ldx, r.wx, r.inputs);
    // + h_{t-1} · Wy: the recurrent sum from zero, then the projection added
    // with one FMA by 1, as the small path's write-back adds beta * C.
    const float* h_prev = t > 0 ? r.out + static_cast<index>(t - 1) * B * r.ldo : r.h0;
    if (h_prev != nullptr) {
      __m512 rec[B];
      rank_k<B>(rec, h_prev, t > 0 ? r.ldo : r.ldh, r.wy, r.hidden);
#pragma GCC unroll 8
      for (int i = 0; i < B; ++i) pre[i] = _mm512_fmadd_ps(one, pre[i], rec[i]);
    }
    // h_t := act(pre + b), stored: the next step broadcasts its elements.
    float* h_t = r.out + static_cast<index>(t) * B * r.ldo;
#pragma GCC unroll 8
    for (int i = 0; i < B; ++i) {
      const __m512 v = _mm512_add_ps(pre[i], bias);
      _mm512_storeu_ps(h_t + i * r.ldo, RELU ? relu16(v) : tanh16(v));
    }
  }
}

template <bool RELU, int B = 1>
void forward_for_batch(const TinyRnn& r) {
  if (r.batch == B)
    forward<B, RELU>(r);
  else if constexpr (B < tiny_rnn_max_batch)
    forward_for_batch<RELU, B + 1>(r);
}

}  // namespace

void tiny_rnn_forward_avx512(const TinyRnn& r) {
  if (r.relu)
    forward_for_batch<true>(r);
  else
    forward_for_batch<false>(r);
}

}  // namespace gemmlab::detail
