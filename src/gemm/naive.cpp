// Step 0: the textbook triple loop.
//
// C(i, j) = alpha * sum_p A(i, p) * B(p, j) + beta * C(i, j)
//
// Written to be read, not to be fast: for each element of C, walk a row of A
// and a column of B. The column walk jumps ldb floats between loads, so for
// large N every load of B misses the cache; that is the problem the later
// steps solve. The sum is accumulated in float, in order p = 0, 1, ..., K-1.
#include <cstddef>

#include "gemm/kernels.hpp"

namespace gemmlab::detail {

void sgemm_naive(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
                 float* C, int ldc) {
  using index = std::ptrdiff_t;  // row * ld can exceed the range of int
  for (int i = 0; i < M; ++i) {
    for (int j = 0; j < N; ++j) {
      float sum = 0.0f;
      for (int p = 0; p < K; ++p) sum += A[index(i) * lda + p] * B[index(p) * ldb + j];
      float& c = C[index(i) * ldc + j];
      c = beta == 0.0f ? alpha * sum : alpha * sum + beta * c;  // beta == 0 never reads C
    }
  }
}

}  // namespace gemmlab::detail
