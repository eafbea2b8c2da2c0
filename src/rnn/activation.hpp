// src/rnn/activation.hpp — internal: the fused bias + activation passes, one
// set per ISA, and the run-time choice among them.
//
// Each variant computes the same formula (tanh_formula.hpp) operation for
// operation: baseline is that plain C++ compiled for the target's baseline
// (SSE2 on x86-64, NEON on aarch64); AVX2+FMA and AVX-512 spell it with
// intrinsics. Where FMA fuses a multiply and an add the rounding differs in
// the last bit, so variants need not agree bit for bit; every one of them is
// within gemmlab::tanh_max_abs_error (tests/test_tanh.cpp checks each).
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "core/isa.hpp"
#include "gemm/problem.hpp"

namespace gemmlab::detail {

using BiasActivationFn = void (*)(float* values, const float* bias, std::size_t count);
using TanhFn = void (*)(float* values, std::size_t count);

struct ActivationVariant {
  std::string_view name;  // "baseline", "avx2", "avx512"
  BiasActivationFn bias_tanh;
  BiasActivationFn bias_relu;
  TanhFn tanh;
  Isa isa;  // what the CPU must support to run it
};

// Every variant compiled into this binary (whether or not this CPU runs it),
// best last; and the best one this CPU can run.
std::span<const ActivationVariant> activation_variants();
const ActivationVariant& best_activation_variant();

// A GEMM's epilogue (problem.hpp) on rows x cols of C, row by row with the
// best variant: C(i, j) := act(C(i, j) + bias[col0 + j]). With
// e.prefetch_ahead, each row's cache lines that far on are requested after it. What the five-loop
// driver runs on each finished micro-tile while it is in L1, and the
// dispatcher on the whole of C after a kernel that does not fuse it.
void apply_epilogue(const Epilogue& e, float* C, index ldc, index rows, index cols, index col0);

void bias_tanh_baseline(float* values, const float* bias, std::size_t count);
void bias_relu_baseline(float* values, const float* bias, std::size_t count);
void tanh_baseline(float* values, std::size_t count);
// The ISA variants (activation_avx2.cpp, activation_avx512.cpp).
// GEMMLAB_HAVE_AVX2 / _AVX512 are set by the Makefile when the build compiles
// src/ files named *avx2* / *avx512*, these included.
#if defined(GEMMLAB_HAVE_AVX2)
void bias_tanh_avx2(float* values, const float* bias, std::size_t count);
void bias_relu_avx2(float* values, const float* bias, std::size_t count);
void tanh_avx2(float* values, std::size_t count);
#endif
#if defined(GEMMLAB_HAVE_AVX512)
void bias_tanh_avx512(float* values, const float* bias, std::size_t count);
void bias_relu_avx512(float* values, const float* bias, std::size_t count);
void tanh_avx512(float* values, std::size_t count);
#endif

}  // namespace gemmlab::detail
