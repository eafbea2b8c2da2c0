// The fused bias + activation passes, baseline build, and the run-time choice
// of the best variant for this CPU.
#include "rnn/activation.hpp"

#include "rnn/tanh_formula.hpp"

namespace gemmlab::detail {

void bias_tanh_baseline(float* values, const float* bias, std::size_t count) { bias_tanh_loop(values, bias, count); }
void bias_relu_baseline(float* values, const float* bias, std::size_t count) { bias_relu_loop(values, bias, count); }
void tanh_baseline(float* values, std::size_t count) { tanh_loop(values, count); }

namespace {

constexpr ActivationVariant variants[] = {
    {"baseline", bias_tanh_baseline, bias_relu_baseline, tanh_baseline, Isa::baseline},
#if defined(GEMMLAB_HAVE_AVX2)
    {"avx2", bias_tanh_avx2, bias_relu_avx2, tanh_avx2, Isa::avx2_fma},
#endif
#if defined(GEMMLAB_HAVE_AVX512)
    {"avx512", bias_tanh_avx512, bias_relu_avx512, tanh_avx512, Isa::avx512},
#endif
};

}  // namespace

std::span<const ActivationVariant> activation_variants() { return variants; }

const ActivationVariant& best_activation_variant() {
  // Chosen once; cpu_features() honours GEMMLAB_DISABLE_ISA.
  static const ActivationVariant& best = []() -> const ActivationVariant& {
    const ActivationVariant* chosen = &variants[0];
    for (const ActivationVariant& v : variants)
      if (isa_supported(v.isa)) chosen = &v;
    return *chosen;
  }();
  return best;
}

void apply_epilogue(const Epilogue& e, float* C, index ldc, index rows, index cols, index col0) {
  if (e.op == Epilogue::Op::none || rows <= 0 || cols <= 0) return;  // (C may be null when empty)
  const ActivationVariant& v = best_activation_variant();
  const BiasActivationFn pass = e.op == Epilogue::Op::bias_tanh ? v.bias_tanh : v.bias_relu;
  const float* bias = e.bias + col0;
  for (index i = 0; i < rows; ++i) {
    float* row = C + i * ldc;
    pass(row, bias, static_cast<std::size_t>(cols));
    if (e.prefetch_ahead != 0)  // the hint (gemm.hpp): the same row's lines, that far on
      for (index j = 0; j < cols; j += 16) __builtin_prefetch(row + j + e.prefetch_ahead, 1, 3);
  }
}

}  // namespace gemmlab::detail
