/* tests/c/test_cblas.c — gemmlab's C ABI (include/gemmlab/cblas.h) tested
 * from plain C11, linked against build/libgemmlab.so as a user's program
 * would be (Makefile target test-c-abi, driven by tests/c/run.sh).
 *
 *   a. cblas_sgemm: both layouts, every transpose pair over {NoTrans, Trans,
 *      ConjTrans}, alpha in {1, -0.5, 0}, beta in {0, 1, 0.75}, every shape
 *      with M, N, K in 1..7, a few larger ones and the quick returns, with
 *      leading dimensions at the minimum and 3 above it.
 *   b. sgemm_: column-major, 'N' 'n' 'T' 't' 'C' 'c', a subset of the shapes.
 *   c. Illegal arguments: the position reported through xerbla_, C (and A,
 *      B) bit for bit untouched, xerbla_ called exactly once; and the legal
 *      call right at each boundary works.
 *
 * Every legal call is checked element by element against a double-precision
 * reference written here from the CBLAS definition, with the bound of
 * docs/numerics.md (see check_legal), and with integer inputs for which the
 * result must be exact. The matrices sit in buffers with guard cells around
 * them and in the padding between rows/columns (ld > minimum): a NaN with a
 * recognisable bit pattern, so that reading one poisons the result and
 * writing one is seen.
 *
 * Prints one line per failed case, then "N passed, N failed"; exits nonzero
 * if any case failed.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemmlab/cblas.h"

static long passed, failed;

/* ---- our own xerbla_: overrides the library's weak, interposable default -- */
static int xerbla_calls;
static char xerbla_name[64];
static int xerbla_name_len;
static int xerbla_info;

void xerbla_(const char* srname, const int* info, int srname_len) {
  ++xerbla_calls;
  xerbla_info = info != NULL ? *info : -1;
  xerbla_name_len = srname_len;
  int n = srname_len < 0 ? 0 : srname_len;
  if (n > (int)sizeof xerbla_name - 1) n = (int)sizeof xerbla_name - 1;
  if (srname != NULL && n > 0) memcpy(xerbla_name, srname, (size_t)n);
  xerbla_name[srname != NULL ? n : 0] = '\0';
}

/* ---- floats by bit pattern -------------------------------------------------- */
static float from_bits(uint32_t b) {
  float f;
  memcpy(&f, &b, sizeof f);
  return f;
}
static uint32_t bits_of(float f) {
  uint32_t b;
  memcpy(&b, &f, sizeof b);
  return b;
}
#define GUARD_BITS 0x7fc0beefu /* guard cells and padding: a quiet NaN */
#define C_NAN_BITS 0x7fc0deadu /* C's elements before a beta == 0 call */
#define AB_NAN_BITS 0x7fc0f00du /* A's and B's elements before an alpha == 0 call */

/* ---- random inputs (a fixed xorshift64*, so every run is the same) ---------- */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t next_random(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1du;
}
/* Uniform in [-1, 1) with 24 significant bits: exactly a float. */
static float random_float(void) { return (float)((int32_t)(next_random() >> 40) - (1 << 23)) / (float)(1 << 23); }
/* An integer in [-4, 4]. */
static float random_int(void) { return (float)((int)(next_random() >> 33) % 9 - 4); }

/* ---- a matrix inside a guarded buffer ------------------------------------- */
#define GUARD 17 /* floats of guard before and after the matrix */

typedef struct {
  float* buf; /* GUARD + outer * ld + GUARD floats */
  size_t size;
  float* data;      /* buf + GUARD: what the call receives */
  int row_major;    /* element (i, j) at data[i*ld + j], else at data[i + j*ld] */
  int rows, cols;   /* the matrix as stored */
  int inner, outer; /* elements along a stored row (row-major) or column, and their count */
  int ld;
} Mat;

static void mat_init(Mat* m, int rows, int cols, int row_major, int ld) {
  m->row_major = row_major;
  m->rows = rows;
  m->cols = cols;
  m->inner = row_major ? cols : rows;
  m->outer = row_major ? rows : cols;
  m->ld = ld;
  m->size = 2 * (size_t)GUARD + (size_t)m->outer * (size_t)ld;
  m->buf = malloc(m->size * sizeof(float));
  if (m->buf == NULL) {
    fprintf(stderr, "test_cblas: out of memory\n");
    exit(2);
  }
  m->data = m->buf + GUARD;
  for (size_t t = 0; t < m->size; ++t) m->buf[t] = from_bits(GUARD_BITS);
}
static size_t mat_index(const Mat* m, int i, int j) {
  return m->row_major ? (size_t)i * (size_t)m->ld + (size_t)j : (size_t)i + (size_t)j * (size_t)m->ld;
}
static float mat_get(const Mat* m, int i, int j) { return m->data[mat_index(m, i, j)]; }
static void mat_set(Mat* m, int i, int j, float v) { m->data[mat_index(m, i, j)] = v; }

/* Whether buffer cell t holds one of the matrix's elements (else it is a guard). */
static int is_element(const Mat* m, size_t t) {
  if (t < GUARD) return 0;
  t -= GUARD;
  if (t >= (size_t)m->outer * (size_t)m->ld) return 0;
  return t % (size_t)m->ld < (size_t)m->inner;
}

enum Fill { FILL_RANDOM, FILL_INT, FILL_C_NAN, FILL_AB_NAN };
static void mat_fill(Mat* m, enum Fill how) {
  for (int i = 0; i < m->rows; ++i)
    for (int j = 0; j < m->cols; ++j) {
      float v;
      switch (how) {
        case FILL_RANDOM: v = random_float(); break;
        case FILL_INT: v = random_int(); break;
        case FILL_C_NAN: v = from_bits(C_NAN_BITS); break;
        default: v = from_bits(AB_NAN_BITS); break;
      }
      mat_set(m, i, j, v);
    }
}

static float* copy_of(const Mat* m) {
  float* c = malloc(m->size * sizeof(float));
  if (c == NULL) {
    fprintf(stderr, "test_cblas: out of memory\n");
    exit(2);
  }
  memcpy(c, m->buf, m->size * sizeof(float));
  return c;
}

/* ---- one call -------------------------------------------------------------- */
enum Api { API_CBLAS, API_F77 };
enum { NULL_A = 1, NULL_B = 2, NULL_C = 4 };

typedef struct {
  enum Api api;
  int order;      /* cblas_sgemm's Order as passed (may be illegal) */
  int row_major;  /* the layout the test stores the matrices in */
  int ta, tb;     /* as passed: a CBLAS_TRANSPOSE value, or sgemm_'s character */
  int ta_t, tb_t; /* for the reference: op(X) = X^T */
  int M, N, K;
  float alpha, beta;
  int lda, ldb, ldc;
  int nulls; /* NULL_A | NULL_B | NULL_C: pass a null pointer instead */
  int ints;  /* integer inputs: the result must be exact */
} Case;

static int max1(int x) { return x > 1 ? x : 1; }
/* The minimum leading dimensions, from the CBLAS definition: the length of a
 * stored row (row-major) or column (column-major) of A, B, C as they lie. */
static int min_lda(int row_major, int ta_t, int M, int K) { return max1(row_major == ta_t ? M : K); }
static int min_ldb(int row_major, int tb_t, int N, int K) { return max1(row_major == tb_t ? K : N); }
static int min_ldc(int row_major, int M, int N) { return max1(row_major ? N : M); }

static const char* trans_name(int t) {
  switch (t) {
    case CblasNoTrans: return "NoTrans";
    case CblasTrans: return "Trans";
    case CblasConjTrans: return "ConjTrans";
    default: return "(bad)";
  }
}

static void describe(const Case* c, char* out, size_t n) {
  char ta[24], tb[24], order[24];
  if (c->api == API_CBLAS) {
    snprintf(ta, sizeof ta, "%s(%d)", trans_name(c->ta), c->ta);
    snprintf(tb, sizeof tb, "%s(%d)", trans_name(c->tb), c->tb);
    if (c->order == CblasRowMajor || c->order == CblasColMajor)
      snprintf(order, sizeof order, "%s", c->order == CblasRowMajor ? "RowMajor" : "ColMajor");
    else
      snprintf(order, sizeof order, "Order=%d(bad)", c->order);
  } else {
    snprintf(ta, sizeof ta, "'%c'", c->ta);
    snprintf(tb, sizeof tb, "'%c'", c->tb);
    snprintf(order, sizeof order, "col-major");
  }
  snprintf(out, n, "%s %s %s %s M=%d N=%d K=%d alpha=%g beta=%g lda=%d ldb=%d ldc=%d%s%s%s%s",
           c->api == API_CBLAS ? "cblas_sgemm" : "sgemm_", order, ta, tb, c->M, c->N, c->K, (double)c->alpha,
           (double)c->beta, c->lda, c->ldb, c->ldc, c->nulls & NULL_A ? " A=NULL" : "",
           c->nulls & NULL_B ? " B=NULL" : "", c->nulls & NULL_C ? " C=NULL" : "",
           c->ints ? " (integer inputs)" : "");
}

static void call(const Case* c, const float* a, const float* b, float* cc) {
  if (c->nulls & NULL_A) a = NULL;
  if (c->nulls & NULL_B) b = NULL;
  if (c->nulls & NULL_C) cc = NULL;
  xerbla_calls = 0;
  xerbla_info = 0;
  xerbla_name[0] = '\0';
  xerbla_name_len = -1;
  if (c->api == API_CBLAS) {
    cblas_sgemm((enum CBLAS_ORDER)c->order, (enum CBLAS_TRANSPOSE)c->ta, (enum CBLAS_TRANSPOSE)c->tb, c->M, c->N,
                c->K, c->alpha, a, c->lda, b, c->ldb, c->beta, cc, c->ldc);
  } else {
    const char ta = (char)c->ta, tb = (char)c->tb;
    sgemm_(&ta, &tb, &c->M, &c->N, &c->K, &c->alpha, a, &c->lda, b, &c->ldb, &c->beta, cc, &c->ldc);
  }
}

static void fail(const Case* c, const char* what) {
  char d[320];
  describe(c, d, sizeof d);
  printf("FAIL %s: %s\n", d, what);
  ++failed;
}

/* op(X)(i, j) of a stored matrix. */
static double op_get(const Mat* x, int trans, int i, int j) { return trans ? mat_get(x, j, i) : mat_get(x, i, j); }

/* The error bound (docs/numerics.md, "The bound every kernel meets"; the
 * same as gemm_error_bound in include/gemmlab/numerics.hpp, which is C++):
 *
 *   |C_hat - C| <= c * gamma_{K+2} * (|alpha| sum_p |A(i,p)||B(p,j)| + |beta||C(i,j)|),
 *   gamma_n = n*u / (1 - n*u),  u = 2^-24,  c = 2.
 *
 * K+2: at most K roundings in the dot product, one for alpha, one for adding
 * beta*C. c = 2 (numerics.hpp's gemm_bound_constant = 2.0): a blocked kernel
 * adds each KC chunk's partial sum into C, at most one more rounding per
 * chunk, so every kernel stays within 2(K+2) - 1 roundings, and
 * gamma_{2n-1} <= 2 gamma_n while (2n-1) n u <= 1, i.e. for K up to about
 * 2800 (the largest K here is 600). */
#define BOUND_CONSTANT 2.0
#define UNIT_ROUNDOFF 0x1.0p-24
static double gamma_n(double n) { return n * UNIT_ROUNDOFF / (1.0 - n * UNIT_ROUNDOFF); }

/* Which NaN came out, by its payload (when the arithmetic kept it). */
static const char* nan_hint(double got) {
  if (!isnan(got)) return "";
  switch (bits_of((float)got)) {
    case GUARD_BITS: return " -- NaN from a guard cell: memory outside A, B or C was read";
    case C_NAN_BITS: return " -- NaN from C: C was read although beta == 0";
    case AB_NAN_BITS: return " -- NaN from A or B: read although alpha == 0";
    default: return " -- NaN";
  }
}

static void check_legal(const Case* c) {
  const int M = c->M, N = c->N, K = c->K;
  Mat A, B, C;
  mat_init(&A, c->ta_t ? K : M, c->ta_t ? M : K, c->row_major, c->lda);
  mat_init(&B, c->tb_t ? N : K, c->tb_t ? K : N, c->row_major, c->ldb);
  mat_init(&C, M, N, c->row_major, c->ldc);
  /* alpha == 0: A and B must not be read, so they hold NaN; beta == 0: C
   * must not be read, so it holds NaN. */
  mat_fill(&A, c->alpha == 0.0f ? FILL_AB_NAN : c->ints ? FILL_INT : FILL_RANDOM);
  mat_fill(&B, c->alpha == 0.0f ? FILL_AB_NAN : c->ints ? FILL_INT : FILL_RANDOM);
  mat_fill(&C, c->beta == 0.0f ? FILL_C_NAN : c->ints ? FILL_INT : FILL_RANDOM);
  float* a0 = copy_of(&A);
  float* b0 = copy_of(&B);
  float* c0 = copy_of(&C);

  call(c, A.data, B.data, C.data);

  char msg[400];
  int ok = 1;
  if (xerbla_calls != 0) {
    snprintf(msg, sizeof msg, "legal call reported to xerbla_ %d time(s) (name '%s', position %d)", xerbla_calls,
             xerbla_name, xerbla_info);
    fail(c, msg);
    ok = 0;
  }
  if (ok && memcmp(a0, A.buf, A.size * sizeof(float)) != 0) {
    fail(c, "A (or its guard cells) was modified");
    ok = 0;
  }
  if (ok && memcmp(b0, B.buf, B.size * sizeof(float)) != 0) {
    fail(c, "B (or its guard cells) was modified");
    ok = 0;
  }
  for (size_t t = 0; ok && t < C.size; ++t) {
    if (is_element(&C, t) || bits_of(C.buf[t]) == bits_of(c0[t])) continue;
    const long off = (long)t - GUARD;
    snprintf(msg, sizeof msg, "guard cell of C at offset %ld from C (%s) changed to %g (bits 0x%08x)", off,
             off < 0 ? "before C" : off >= (long)C.outer * C.ld ? "after C" : "padding between rows/columns",
             (double)C.buf[t], (unsigned)bits_of(C.buf[t]));
    fail(c, msg);
    ok = 0;
  }
  /* Element by element against the reference in double. Each product of two
   * floats is exact in double; the double sums add their own error, at most
   * about (K+2) 2^-53 of the absolute sum, counted twice over to be safe (as
   * tests/test_util.hpp does) -- 2^29 times smaller than the float bound. */
  for (int i = 0; ok && i < M; ++i)
    for (int j = 0; ok && j < N; ++j) {
      double exact = 0.0, abs_sum = 0.0;
      if (c->alpha != 0.0f) {
        double s = 0.0, s_abs = 0.0;
        for (int p = 0; p < K; ++p) {
          const double prod = op_get(&A, c->ta_t, i, p) * op_get(&B, c->tb_t, p, j);
          s += prod;
          s_abs += fabs(prod);
        }
        exact = (double)c->alpha * s;
        abs_sum = fabs((double)c->alpha) * s_abs;
      }
      if (c->beta != 0.0f) {
        const double before = c0[GUARD + mat_index(&C, i, j)];
        exact += (double)c->beta * before;
        abs_sum += fabs((double)c->beta) * fabs(before);
      }
      const double bound =
          c->ints ? 0.0 : BOUND_CONSTANT * gamma_n(K + 2.0) * abs_sum + 2.0 * (K + 2.0) * 0x1.0p-53 * abs_sum;
      const double got = mat_get(&C, i, j);
      const double err = fabs(got - exact);
      if (!(err <= bound)) { /* also catches NaN */
        snprintf(msg, sizeof msg, "C(%d,%d) = %.9g (bits 0x%08x) but exact is %.9g (|err| %.3g > bound %.3g)%s", i, j,
                 got, (unsigned)bits_of((float)got), exact, err, bound, nan_hint(got));
        fail(c, msg);
        ok = 0;
      }
    }
  if (ok) ++passed;
  free(a0);
  free(b0);
  free(c0);
  free(A.buf);
  free(B.buf);
  free(C.buf);
}

/* An illegal call: xerbla_ exactly once with (name, position), and nothing
 * written: A, B and C (filled with a pattern of distinct values) bit for bit
 * as before. The buffers are large enough for any leading dimension used. */
#define ILLEGAL_CELLS (2 * GUARD + 256)
static void check_illegal(const Case* c, int position) {
  float a[ILLEGAL_CELLS], b[ILLEGAL_CELLS], cc[ILLEGAL_CELLS], c0[ILLEGAL_CELLS];
  for (int t = 0; t < ILLEGAL_CELLS; ++t) {
    a[t] = random_float();
    b[t] = random_float();
    cc[t] = from_bits(0x40000000u + 7u * (uint32_t)t); /* 2.0 and up, each distinct */
  }
  memcpy(c0, cc, sizeof cc);
  float a0[ILLEGAL_CELLS], b0[ILLEGAL_CELLS];
  memcpy(a0, a, sizeof a);
  memcpy(b0, b, sizeof b);

  call(c, a + GUARD, b + GUARD, cc + GUARD);

  const char* name = c->api == API_CBLAS ? "cblas_sgemm" : "SGEMM ";
  const int name_len = (int)strlen(name);
  char msg[400];
  int ok = 1;
  if (xerbla_calls != 1) {
    snprintf(msg, sizeof msg, "xerbla_ called %d times, expected once with position %d", xerbla_calls, position);
    fail(c, msg);
    ok = 0;
  } else if (xerbla_info != position) {
    snprintf(msg, sizeof msg, "xerbla_ reported position %d, expected %d", xerbla_info, position);
    fail(c, msg);
    ok = 0;
  } else if (xerbla_name_len != name_len || strcmp(xerbla_name, name) != 0) {
    snprintf(msg, sizeof msg, "xerbla_ got name '%s' (length %d), expected '%s' (length %d)", xerbla_name,
             xerbla_name_len, name, name_len);
    fail(c, msg);
    ok = 0;
  }
  if (memcmp(c0, cc, sizeof cc) != 0) {
    if (ok) fail(c, "C was modified by an illegal call");
    ok = 0;
  }
  if (memcmp(a0, a, sizeof a) != 0 || memcmp(b0, b, sizeof b) != 0) {
    if (ok) fail(c, "A or B was modified by an illegal call");
    ok = 0;
  }
  if (ok) ++passed;
}

/* ---- building cases ----------------------------------------------------------- */
static const int cblas_trans[3] = {CblasNoTrans, CblasTrans, CblasConjTrans};

/* cblas_sgemm, legal leading dimensions: the minimum + pad. t = 0, 1, 2 for
 * NoTrans, Trans, ConjTrans (ConjTrans is Trans for real data). */
static Case cblas_case(int row_major, int ta, int tb, int M, int N, int K, float alpha, float beta, int pad) {
  Case c;
  memset(&c, 0, sizeof c);
  c.api = API_CBLAS;
  c.order = row_major ? CblasRowMajor : CblasColMajor;
  c.row_major = row_major;
  c.ta = cblas_trans[ta];
  c.tb = cblas_trans[tb];
  c.ta_t = ta != 0;
  c.tb_t = tb != 0;
  c.M = M;
  c.N = N;
  c.K = K;
  c.alpha = alpha;
  c.beta = beta;
  c.lda = min_lda(row_major, c.ta_t, M, K) + pad;
  c.ldb = min_ldb(row_major, c.tb_t, N, K) + pad;
  c.ldc = min_ldc(row_major, M, N) + pad;
  return c;
}

static int char_is_trans(char t) { return t == 'T' || t == 't' || t == 'C' || t == 'c'; }

static Case f77_case(char ta, char tb, int M, int N, int K, float alpha, float beta, int pad) {
  Case c;
  memset(&c, 0, sizeof c);
  c.api = API_F77;
  c.order = CblasColMajor;
  c.row_major = 0;
  c.ta = ta;
  c.tb = tb;
  c.ta_t = char_is_trans(ta);
  c.tb_t = char_is_trans(tb);
  c.M = M;
  c.N = N;
  c.K = K;
  c.alpha = alpha;
  c.beta = beta;
  c.lda = min_lda(0, c.ta_t, M, K) + pad;
  c.ldb = min_ldb(0, c.tb_t, N, K) + pad;
  c.ldc = min_ldc(0, M, N) + pad;
  return c;
}

typedef struct {
  int M, N, K;
} Shape;

/* Larger shapes: several register tiles and edges; K = 600 crosses one KC
 * block (512), so the chunk sums are added into C. */
static const Shape large_shapes[] = {{33, 17, 65}, {100, 64, 129}, {9, 13, 600}, {130, 70, 20}};
/* Quick returns and K == 0 (C := beta * C, A and B unread). */
static const Shape edge_shapes[] = {{0, 5, 3}, {5, 0, 3}, {0, 0, 0}, {0, 0, 4}, {4, 5, 0}, {1, 1, 0}, {0, 3, 0}};
#define COUNT(x) ((int)(sizeof(x) / sizeof((x)[0])))

static const float alphas[3] = {1.0f, -0.5f, 0.0f};
static const float betas[3] = {0.0f, 1.0f, 0.75f};
static const int pads[2] = {0, 3};

/* Every alpha, beta and pad for one shape and transpose pair: random inputs
 * against the bound, and (pad 3) integer inputs, exact. */
static void cblas_sweep(int row_major, int ta, int tb, Shape s) {
  for (int ia = 0; ia < 3; ++ia)
    for (int ib = 0; ib < 3; ++ib)
      for (int ip = 0; ip < 2; ++ip) {
        Case c = cblas_case(row_major, ta, tb, s.M, s.N, s.K, alphas[ia], betas[ib], pads[ip]);
        check_legal(&c);
        if (pads[ip] == 3) {
          c.ints = 1;
          check_legal(&c);
        }
      }
}

static void f77_sweep(char ta, char tb, Shape s) {
  for (int ia = 0; ia < 3; ++ia)
    for (int ib = 0; ib < 3; ++ib)
      for (int ip = 0; ip < 2; ++ip) {
        Case c = f77_case(ta, tb, s.M, s.N, s.K, alphas[ia], betas[ib], pads[ip]);
        check_legal(&c);
        if (pads[ip] == 3) {
          c.ints = 1;
          check_legal(&c);
        }
      }
}

/* ---- c. illegal arguments ----------------------------------------------------- */
/* The leading-dimension rules, for one API and layout: for each shape and
 * transpose, one below the minimum is illegal at its position and the
 * minimum itself is legal (and computes the right result). The shapes make
 * M, N, K distinct, so a rule using the wrong dimension is caught by one
 * side or the other, and include the zero sizes where max(1, .) matters. */
static void ld_rules(enum Api api, int row_major) {
  static const Shape shapes[] = {{5, 4, 3}, {3, 4, 5}, {0, 4, 3}, {5, 0, 3}, {5, 4, 0}};
  const int pos_lda = api == API_CBLAS ? 9 : 8, pos_ldb = api == API_CBLAS ? 11 : 10,
            pos_ldc = api == API_CBLAS ? 14 : 13;
  static const char f77_chars[3] = {'N', 'T', 'C'};
  for (int s = 0; s < COUNT(shapes); ++s)
    for (int ta = 0; ta < 3; ++ta)
      for (int tb = 0; tb < 3; ++tb) {
        const Shape sh = shapes[s];
        Case c = api == API_CBLAS ? cblas_case(row_major, ta, tb, sh.M, sh.N, sh.K, 1.0f, 0.5f, 0)
                                  : f77_case(f77_chars[ta], f77_chars[tb], sh.M, sh.N, sh.K, 1.0f, 0.5f, 0);
        check_legal(&c); /* every leading dimension at its minimum */
        Case bad = c;
        if (tb == 0) { /* lda's rule depends on ta only */
          bad.lda = c.lda - 1;
          check_illegal(&bad, pos_lda);
        }
        bad = c;
        if (ta == 0) {
          bad.ldb = c.ldb - 1;
          check_illegal(&bad, pos_ldb);
        }
        bad = c;
        if (ta == 0 && tb == 0) {
          bad.ldc = c.ldc - 1;
          check_illegal(&bad, pos_ldc);
        }
      }
}

/* Null A, B, C: reported where they would be read or written, legal where not. */
static void null_rules(enum Api api, int row_major) {
  const int pos_a = api == API_CBLAS ? 8 : 7, pos_b = api == API_CBLAS ? 10 : 9, pos_c = api == API_CBLAS ? 13 : 12;
  Case c = api == API_CBLAS ? cblas_case(row_major, 0, 0, 5, 4, 3, 1.0f, 0.5f, 0)
                            : f77_case('N', 'N', 5, 4, 3, 1.0f, 0.5f, 0);
  Case x = c;
  x.nulls = NULL_A;
  check_illegal(&x, pos_a);
  x.nulls = NULL_B;
  check_illegal(&x, pos_b);
  x.nulls = NULL_C;
  check_illegal(&x, pos_c);
  x = c; /* alpha == 0: A and B unread */
  x.alpha = 0.0f;
  x.nulls = NULL_A | NULL_B;
  check_legal(&x);
  x = api == API_CBLAS ? cblas_case(row_major, 0, 0, 5, 4, 0, 1.0f, 0.5f, 0) : f77_case('N', 'N', 5, 4, 0, 1.0f, 0.5f, 0);
  x.nulls = NULL_A | NULL_B; /* K == 0: A and B unread */
  check_legal(&x);
  x = api == API_CBLAS ? cblas_case(row_major, 0, 0, 0, 4, 3, 1.0f, 0.5f, 0) : f77_case('N', 'N', 0, 4, 3, 1.0f, 0.5f, 0);
  x.nulls = NULL_C; /* M == 0: C not written */
  check_legal(&x);
}

static void f77_illegal(void) {
  Case c = f77_case('N', 'N', 5, 4, 3, 1.0f, 0.5f, 0), x;
  x = c;
  x.ta = 'X';
  check_illegal(&x, 1);
  x = c;
  x.tb = 'X';
  check_illegal(&x, 2);
  x = c;
  x.ta = 'x';
  check_illegal(&x, 1);
  x = c;
  x.tb = '\0';
  check_illegal(&x, 2);
  x = c;
  x.M = -1;
  check_illegal(&x, 3);
  x = c;
  x.N = -1;
  check_illegal(&x, 4);
  x = c;
  x.K = -1;
  check_illegal(&x, 5);
  x = c; /* several bad: the first is reported, once */
  x.ta = 'X';
  x.M = -1;
  x.ldc = 0;
  check_illegal(&x, 1);
  ld_rules(API_F77, 0);
  null_rules(API_F77, 0);
}

static void cblas_illegal(void) {
  Case c = cblas_case(1, 0, 0, 5, 4, 3, 1.0f, 0.5f, 0), x;
  x = c;
  x.order = 0;
  check_illegal(&x, 1);
  x = c;
  x.order = 103;
  check_illegal(&x, 1);
  for (int row_major = 0; row_major <= 1; ++row_major) {
    c = cblas_case(row_major, 0, 0, 5, 4, 3, 1.0f, 0.5f, 0);
    x = c;
    x.ta = 0;
    check_illegal(&x, 2);
    x = c;
    x.ta = 114;
    check_illegal(&x, 2);
    x = c;
    x.tb = 110;
    check_illegal(&x, 3);
    x = c;
    x.M = -1;
    check_illegal(&x, 4);
    x = c;
    x.N = -1;
    check_illegal(&x, 5);
    x = c;
    x.K = -1;
    check_illegal(&x, 6);
    x = c; /* several bad: the first is reported, once */
    x.tb = 0;
    x.N = -2;
    x.lda = 0;
    check_illegal(&x, 3);
    ld_rules(API_CBLAS, row_major);
    null_rules(API_CBLAS, row_major);
  }
}

int main(void) {
  /* a. cblas_sgemm */
  for (int row_major = 0; row_major <= 1; ++row_major)
    for (int ta = 0; ta < 3; ++ta)
      for (int tb = 0; tb < 3; ++tb) {
        for (int M = 1; M <= 7; ++M)
          for (int N = 1; N <= 7; ++N)
            for (int K = 1; K <= 7; ++K) {
              const Shape s = {M, N, K};
              cblas_sweep(row_major, ta, tb, s);
            }
        for (int i = 0; i < COUNT(large_shapes); ++i) cblas_sweep(row_major, ta, tb, large_shapes[i]);
        for (int i = 0; i < COUNT(edge_shapes); ++i) cblas_sweep(row_major, ta, tb, edge_shapes[i]);
      }

  /* b. sgemm_, every transpose character in either case */
  static const char chars[] = "NnTtCc";
  static const int subset[] = {1, 2, 5, 7};
  for (int ia = 0; ia < 6; ++ia)
    for (int ib = 0; ib < 6; ++ib) {
      for (int m = 0; m < 4; ++m)
        for (int n = 0; n < 4; ++n)
          for (int k = 0; k < 4; ++k) {
            const Shape s = {subset[m], subset[n], subset[k]};
            f77_sweep(chars[ia], chars[ib], s);
          }
      for (int i = 0; i < COUNT(large_shapes); ++i) f77_sweep(chars[ia], chars[ib], large_shapes[i]);
      for (int i = 0; i < COUNT(edge_shapes); ++i) f77_sweep(chars[ia], chars[ib], edge_shapes[i]);
    }

  /* c. illegal arguments */
  f77_illegal();
  cblas_illegal();

  printf("%ld passed, %ld failed\n", passed, failed);
  return failed != 0;
}
