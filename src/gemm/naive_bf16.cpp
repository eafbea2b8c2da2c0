// Step 0 for bf16: the textbook triple loop on bf16 numbers. What the
// other bf16 kernels must agree with, and what their numbers mean: every
// product of two bf16 is exact in float (8 + 8 significant bits fit in
// float's 24), and only the K - 1 float additions of each dot product, made
// here in order, round. A float input is rounded to bf16 as it is read.
#include "core/bf16_round.hpp"
#include "gemm/sbgemm_problem.hpp"

namespace gemmlab::detail {

void sbgemm_naive(const SbgemmProblem& p) {
  for (index i = 0; i < p.M; ++i)
    for (index j = 0; j < p.N; ++j) {
      float sum = 0.0f;
      for (index k = 0; k < p.K; ++k) sum += widen_bf16(p.A(i, k)) * widen_bf16(p.B(k, j));
      float& c = p.C[i * p.ldc + j];
      c = p.beta == 0.0f ? p.alpha * sum : p.alpha * sum + p.beta * c;
    }
}

}  // namespace gemmlab::detail
