// Step 1: the same arithmetic as naive.cpp, loops reordered (i, p, j).
//
// naive.cpp computes one element of C at a time and walks a COLUMN of B:
// consecutive loads are ldb floats apart, so each one touches a new cache line.
// Swapping the two inner loops makes the innermost loop walk a ROW of B and a
// row of C, both contiguous:
//
//   for i:  C(i, :) = beta * C(i, :)
//           for p:  C(i, :) += (alpha * A(i, p)) * B(p, :)     <- contiguous, vectorisable
//
// Every cache line of B that is loaded is now used 16 times instead of once,
// and the compiler can vectorise the j loop (it has no dependence between
// iterations). Each element of C still adds its K products in the order
// p = 0, 1, ..., K-1, so the result differs from naive.cpp only by where alpha
// is applied.
//
// With a transposed B (problem.hpp: its column stride is then its leading
// dimension) the j loop walks a column of the stored matrix again, and this
// step loses what it gained: the order of the loops is only right for the
// layout the data has. The packed kernels fix that for every layout at once
// (microkernel.hpp, "PACKING").
#include "gemm/problem.hpp"

namespace gemmlab::detail {

void sgemm_loop_order(const GemmProblem& p) {
  // In locals: C's floats could alias p.alpha and p.beta as far as the
  // compiler knows (see naive.cpp).
  const index M = p.M, N = p.N, K = p.K, ldc = p.ldc;
  const float alpha = p.alpha, beta = p.beta;
  const index b_step = p.B.col_stride;  // along a row of B: 1 unless B is transposed
  for (index i = 0; i < M; ++i) {
    float* c_row = p.C + i * ldc;
    for (index j = 0; j < N; ++j) c_row[j] = beta == 0.0f ? 0.0f : beta * c_row[j];  // beta == 0 never reads C
    for (index k = 0; k < K; ++k) {
      const float a = alpha * p.A(i, k);
      const float* b_row = p.B.at(k, 0);
      if (b_step == 1)  // the common case, written out so the compiler vectorises it
        for (index j = 0; j < N; ++j) c_row[j] += a * b_row[j];
      else
        for (index j = 0; j < N; ++j) c_row[j] += a * b_row[j * b_step];
    }
  }
}

}  // namespace gemmlab::detail
