// src/rnn/tiny_rnn.hpp — internal: the whole forward pass of a tiny RNN
// (the seed's size) in one function, specialised to its shape class.
//
// At B = 4, I = 3, H = 5 the arithmetic is a few hundred flops; what a
// general forward pass spends its time on is the machinery around them:
// two sgemm calls (checks, dispatch, tile selection), a pass over the
// output, and the stores and loads that hand each result to the next call.
// This is the idea of LIBXSMM (a kernel generated for the exact M, N, K of
// a small product, with no packing and no generic dispatch), taken one step
// further: not one product but the whole recurrence, with every step's
// batch rows (at most 7) in registers, one vector of 16 hidden units wide.
//
// It performs the same operations, in the same order, as RnnForward's
// general path on simd-avx512 (the small path's tiles: sums from zero in k
// order, the recurrence added with one fused multiply-add by 1, then bias
// and activation), so it gives the same bits; tests/test_rnn.cpp checks that.
#pragma once

#include "gemm/problem.hpp"

namespace gemmlab::detail {

inline constexpr int tiny_rnn_max_batch = 7;  // rows in registers, as the small path's wide tiles
inline constexpr int tiny_rnn_width = 16;     // the hidden size, padded: one AVX-512 vector
// The general path's projection takes the small path's shallow rule only up
// to this K; beyond it, sums in KC-deep blocks would round differently.
inline constexpr int tiny_rnn_max_inputs = 128;

struct TinyRnn {
  int batch = 0, inputs = 0, hidden = 0, steps = 0;  // batch <= 7, hidden <= 16, inputs <= 128
  const float* x = nullptr;                          // (steps * batch) x inputs
  index ldx = 0;
  const float* h0 = nullptr;  // batch x hidden, or nullptr for zeros
  index ldh = 0;
  const float* wx = nullptr;    // inputs x 16, row-major, zero past the hidden columns
  const float* wy = nullptr;    // hidden x 16, the same
  const float* bias = nullptr;  // 16 floats, zero past hidden
  bool relu = false;            // else tanh
  float* out = nullptr;         // (steps * batch) x 16 at least, rows ldo apart
  index ldo = 0;
};

#if defined(GEMMLAB_HAVE_AVX512)
// Runs the forward pass; only where the CPU runs simd-avx512.
void tiny_rnn_forward_avx512(const TinyRnn& r);
#endif

}  // namespace gemmlab::detail
