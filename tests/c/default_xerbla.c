/* tests/c/default_xerbla.c — a program that does NOT define xerbla_, so
 * gemmlab's default handler reports illegal arguments. tests/c/run.sh checks
 * what it prints on standard error:
 *
 *   ** On entry to SGEMM  parameter number 8 had an illegal value
 *   ** On entry to cblas_sgemm parameter number 14 had an illegal value
 *
 * and that the program goes on (the calls return; nothing aborts): a legal
 * 2x2x2 product follows and its C[0] is printed on standard output (19).
 */
#include <stdio.h>

#include "gemmlab/cblas.h"

int main(void) {
  const float a[4] = {1, 2, 3, 4}; /* row-major [1 2; 3 4] */
  const float b[4] = {5, 6, 7, 8}; /* row-major [5 6; 7 8] */
  float c[4] = {-1, -1, -1, -1};

  /* sgemm_, column-major, TRANSA 'N' with M = 2: LDA must be >= 2. */
  const char n = 'N';
  const int two = 2, lda_too_small = 1;
  const float one = 1.0f, zero = 0.0f;
  sgemm_(&n, &n, &two, &two, &two, &one, a, &lda_too_small, b, &two, &zero, c, &two);

  /* cblas_sgemm, row-major, N = 2: ldc must be >= 2 (position 14). */
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1.0f, a, 2, b, 2, 0.0f, c, 1);

  /* A legal call: C = A B = [19 22; 43 50]. */
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1.0f, a, 2, b, 2, 0.0f, c, 2);
  printf("%g\n", (double)c[0]);
  return 0;
}
