// The fused bias + activation passes compiled for AVX-512 (16 floats a
// register). The same plain C++ as the baseline (tanh_formula.hpp); only the
// compiler flags differ. Called only when the CPU reports AVX-512F.
#include "rnn/activation.hpp"
#include "rnn/tanh_formula.hpp"

namespace gemmlab::detail {

void bias_tanh_avx512(float* values, const float* bias, std::size_t count) { bias_tanh_loop(values, bias, count); }
void bias_relu_avx512(float* values, const float* bias, std::size_t count) { bias_relu_loop(values, bias, count); }
void tanh_avx512(float* values, std::size_t count) { tanh_loop(values, count); }

}  // namespace gemmlab::detail
