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
#include <cstddef>

#include "gemm/kernels.hpp"

namespace gemmlab::detail {

void sgemm_loop_order(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
                      float* C, int ldc) {
  using index = std::ptrdiff_t;  // row * ld can exceed the range of int
  for (int i = 0; i < M; ++i) {
    float* c_row = C + index(i) * ldc;
    for (int j = 0; j < N; ++j) c_row[j] = beta == 0.0f ? 0.0f : beta * c_row[j];  // beta == 0 never reads C
    for (int p = 0; p < K; ++p) {
      const float a = alpha * A[index(i) * lda + p];
      const float* b_row = B + index(p) * ldb;
      for (int j = 0; j < N; ++j) c_row[j] += a * b_row[j];
    }
  }
}

}  // namespace gemmlab::detail
