// Step 0: the textbook triple loop.
//
// C(i, j) = alpha * sum_p A(i, p) * B(p, j) + beta * C(i, j)
//
// Written to be read, not to be fast: for each element of C, walk a row of A
// and a column of B. The column walk jumps ldb floats between loads, so for
// large N every load of B misses the cache; that is the problem the later
// steps solve. The sum is accumulated in float, in order p = 0, 1, ..., K-1.
//
// A and B may lie in any layout (problem.hpp): p.A(i, k) reads element
// (i, k) through the operand's two strides, so a transposed or column-major
// operand costs nothing here but the memory order of its loads.
#include "gemm/problem.hpp"

namespace gemmlab::detail {

void sgemm_naive(const GemmProblem& p) {
  for (index i = 0; i < p.M; ++i) {
    for (index j = 0; j < p.N; ++j) {
      float sum = 0.0f;
      for (index k = 0; k < p.K; ++k) sum += p.A(i, k) * p.B(k, j);
      float& c = p.C[i * p.ldc + j];
      c = p.beta == 0.0f ? p.alpha * sum : p.alpha * sum + p.beta * c;  // beta == 0 never reads C
    }
  }
}

}  // namespace gemmlab::detail
