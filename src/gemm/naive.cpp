// Step 0: the textbook triple loop.
//
// C(i, j) = alpha * sum_p A(i, p) * B(p, j) + beta * C(i, j)
//
// Written to be read, not to be fast: for each element of C, walk a row of A
// and a column of B. The column walk jumps ldb floats between loads, so for
// large N every load of B misses the cache; that is the problem the later
// steps solve. The sum is accumulated in float, in order p = 0, 1, ..., K-1.
//
// A and B may lie in any layout (problem.hpp): the k loop steps through A
// and B by their strides, so a transposed or column-major operand costs
// nothing here but the memory order of its loads.
#include "gemm/problem.hpp"

namespace gemmlab::detail {

void sgemm_naive(const GemmProblem& p) {
  // Everything the loops need, in locals: C's floats could alias p.alpha and
  // p.beta as far as the compiler knows, which would make it reload them
  // after every store to C.
  const index M = p.M, N = p.N, K = p.K, ldc = p.ldc;
  const float alpha = p.alpha, beta = p.beta;
  const index a_step = p.A.col_stride, b_step = p.B.row_stride;  // along k
  for (index i = 0; i < M; ++i) {
    for (index j = 0; j < N; ++j) {
      const float* a = p.A.at(i, 0);  // row i of A ...
      const float* b = p.B.at(0, j);  // ... and column j of B, each by its stride
      float sum = 0.0f;
      if (a_step == 1)  // A's row contiguous (the common case): one pointer fewer to step
        for (index k = 0; k < K; ++k, b += b_step) sum += a[k] * *b;
      else
        for (index k = 0; k < K; ++k, a += a_step, b += b_step) sum += *a * *b;
      float& c = p.C[i * ldc + j];
      c = beta == 0.0f ? alpha * sum : alpha * sum + beta * c;  // beta == 0 never reads C
    }
  }
}

}  // namespace gemmlab::detail
