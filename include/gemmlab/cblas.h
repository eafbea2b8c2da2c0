/* gemmlab/cblas.h — the C entry points of gemmlab: CBLAS's cblas_sgemm and
 * the Fortran-style sgemm_, with the standard argument conventions, so that
 * a program written for any BLAS can call gemmlab's kernels, link
 * build/libgemmlab.so instead, or load it with LD_PRELOAD
 * (docs/using-gemmlab.md). Only what gemmlab provides is declared here.
 *
 *   C := alpha * op(A) * op(B) + beta * C,  op(A) M x K, op(B) K x N, C M x N.
 *
 * Illegal arguments are reported as the reference BLAS does: through
 * xerbla_(name, &position, name_length), which a program may define itself
 * to catch them (gemmlab's own prints "** On entry to SGEMM  parameter
 * number 8 had an illegal value" to standard error), and the call returns
 * with C untouched. Argument positions: sgemm_ uses the reference's (1
 * TRANSA, 2 TRANSB, 3 M, 4 N, 5 K, 7 A, 8 LDA, 9 B, 10 LDB, 12 C, 13 LDC),
 * cblas_sgemm its own (1 Order, 2 TransA, 3 TransB, 4 M, 5 N, 6 K, 8 A,
 * 9 lda, 10 B, 11 ldb, 13 C, 14 ldc). Null A, B or C where they would be
 * read or written are reported too (the reference would crash).
 *
 * Environment: GEMMLAB_KERNEL=naive|loop-order|...|simd picks the kernel
 * (default simd; an unknown or unavailable name is reported once on
 * standard error and simd is used), GEMMLAB_NUM_THREADS the threads,
 * GEMMLAB_VERBOSE=1 one line per call on standard error.
 */
#ifndef GEMMLAB_CBLAS_H
#define GEMMLAB_CBLAS_H

#ifdef __cplusplus
extern "C" {
#endif

enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112, CblasConjTrans = 113 };

void cblas_sgemm(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE trans_a, enum CBLAS_TRANSPOSE trans_b, int m, int n,
                 int k, float alpha, const float* a, int lda, const float* b, int ldb, float beta, float* c,
                 int ldc);

/* Column-major, every argument by reference, as Fortran passes them.
 * TRANSA and TRANSB are 'N', 'T' or 'C' in either case; the hidden string
 * lengths a Fortran caller appends after the last argument are ignored. */
void sgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k, const float* alpha,
            const float* a, const int* lda, const float* b, const int* ldb, const float* beta, float* c,
            const int* ldc);

/* The error handler (see above). srname is not NUL-terminated: its length is
 * srname_len. */
void xerbla_(const char* srname, const int* info, int srname_len);

#ifdef __cplusplus
}
#endif

#endif /* GEMMLAB_CBLAS_H */
