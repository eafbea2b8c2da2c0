// The fused bias + activation passes, baseline build, and the run-time choice
// of the best variant for this CPU.
#include "rnn/activation.hpp"

#include "gemmlab/cpu.hpp"
#include "rnn/tanh_formula.hpp"

namespace gemmlab::detail {

void bias_tanh_baseline(float* values, const float* bias, std::size_t count) { bias_tanh_loop(values, bias, count); }
void bias_relu_baseline(float* values, const float* bias, std::size_t count) { bias_relu_loop(values, bias, count); }
void tanh_baseline(float* values, std::size_t count) { tanh_loop(values, count); }

namespace {

bool always() { return true; }
#if defined(GEMMLAB_HAVE_AVX2)
bool has_avx2() { return cpu_features().avx2 && cpu_features().fma; }
#endif
#if defined(GEMMLAB_HAVE_AVX512)
bool has_avx512() { return cpu_features().avx512_f_vl_bw_dq(); }
#endif

constexpr ActivationVariant variants[] = {
    {"baseline", bias_tanh_baseline, bias_relu_baseline, tanh_baseline, always},
#if defined(GEMMLAB_HAVE_AVX2)
    {"avx2", bias_tanh_avx2, bias_relu_avx2, tanh_avx2, has_avx2},
#endif
#if defined(GEMMLAB_HAVE_AVX512)
    {"avx512", bias_tanh_avx512, bias_relu_avx512, tanh_avx512, has_avx512},
#endif
};

}  // namespace

std::span<const ActivationVariant> activation_variants() { return variants; }

const ActivationVariant& best_activation_variant() {
  // Chosen once; cpu_features() honours GEMMLAB_DISABLE_ISA.
  static const ActivationVariant& best = []() -> const ActivationVariant& {
    const ActivationVariant* chosen = &variants[0];
    for (const ActivationVariant& v : variants)
      if (v.cpu_supports()) chosen = &v;
    return *chosen;
  }();
  return best;
}

}  // namespace gemmlab::detail
