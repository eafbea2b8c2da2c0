/* examples/cblas_example.c — calling gemmlab from C, through the standard
 * BLAS interfaces declared in include/gemmlab/cblas.h.
 *
 * Both compute C := alpha * op(A) * op(B) + beta * C:
 *   - cblas_sgemm, the CBLAS interface: the layout is an argument
 *     (CblasRowMajor or CblasColMajor), everything else by value;
 *   - sgemm_, the Fortran (reference BLAS) interface: always column-major,
 *     every argument by pointer, the transposes as characters 'N'/'T'/'C'.
 *
 * Build (from the top of the repository, after `make`, which builds
 * build/libgemmlab.so):
 *
 *   cc -Iinclude examples/cblas_example.c -Lbuild -lgemmlab -Wl,-rpath,$PWD/build
 *   ./a.out
 *
 * To see every call gemmlab makes (entry point, layout, sizes, the kernel
 * that ran it and its time), one line per call on standard error:
 *
 *   GEMMLAB_VERBOSE=1 ./a.out
 *
 * and GEMMLAB_KERNEL=naive (or blocked, ...) picks another kernel.
 */
#include <stdio.h>

#include "gemmlab/cblas.h"

/* Prints an m x n matrix stored row-major (element (i, j) at x[i*ld + j])
 * or column-major (at x[i + j*ld]). */
static void print_matrix(const char* title, const float* x, int m, int n, int ld, int row_major) {
  printf("%s\n", title);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) printf(" %6g", (double)(row_major ? x[i * ld + j] : x[i + j * ld]));
    printf("\n");
  }
}

int main(void) {
  /* 1. Row-major with cblas_sgemm: C (2x2) = A (2x3) * B (3x2).
   *
   *   A = [1 2 3]    B = [ 7  8]    C = [1*7+2*9+3*11  1*8+2*10+3*12] = [ 58  64]
   *       [4 5 6]        [ 9 10]        [4*7+5*9+6*11  4*8+5*10+6*12]   [139 154]
   *                      [11 12]
   *
   * Row-major: each row lies contiguously, so the leading dimension is the
   * length of a row: lda = 3 (A has 3 columns), ldb = 2, ldc = 2. */
  const float a[2 * 3] = {1, 2, 3,
                          4, 5, 6};
  const float b[3 * 2] = {7, 8,
                          9, 10,
                          11, 12};
  float c[2 * 2]; /* beta = 0: C is only written, so it need not be initialised */
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, /* M */ 2, /* N */ 2, /* K */ 3,
              /* alpha */ 1.0f, a, /* lda */ 3, b, /* ldb */ 2, /* beta */ 0.0f, c, /* ldc */ 2);
  print_matrix("cblas_sgemm, row-major: C = A * B", c, 2, 2, 2, 1);

  /* 2. Column-major with sgemm_: D := 2 * A^T * E + D, accumulating into D.
   *
   * Column-major: each column lies contiguously, so the leading dimension is
   * the length of a column. The very same six numbers of `a` read as a
   * column-major matrix with 3 rows are
   *
   *   A^T = [1 4]      (column 0 is 1 2 3, column 1 is 4 5 6)
   *         [2 5]      so, stored column-major, `a` is the 3x2 matrix A^T;
   *         [3 6]      sgemm_ with TRANSA 'T' multiplies by its transpose, A.
   *
   * Here op(A) = (A^T)^T = A (2x3), E is 3x2 column-major, D is 2x2:
   *
   *   E = [1 0]      A * E = [1+3 2+3] = [ 4  5]      2 * A * E + D = [ 8+1 10+0] = [ 9 10]
   *       [0 1]              [4+6 5+6]   [10 11]                      [20+0 22+1]   [20 23]
   *       [1 1]
   *
   * with D = identity on entry (beta = 1 adds it). */
  const float e[3 * 2] = {1, 0, 1,  /* column 0 */
                          0, 1, 1}; /* column 1 */
  float d[2 * 2] = {1, 0,  /* column 0 */
                    0, 1}; /* column 1 */
  const char trans_a = 'T', trans_b = 'N';
  const int m = 2, n = 2, k = 3;
  const int lda = 3; /* op(A) is A, but what is stored is A^T: 3 rows */
  const int lde = 3, ldd = 2;
  const float alpha = 2.0f, beta = 1.0f;
  sgemm_(&trans_a, &trans_b, &m, &n, &k, &alpha, a, &lda, e, &lde, &beta, d, &ldd);
  print_matrix("sgemm_, column-major: D = 2 * A * E + I", d, 2, 2, ldd, 0);
  return 0;
}
