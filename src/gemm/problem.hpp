// src/gemm/problem.hpp — internal: one multiplication, as every kernel sees it.
//
// The public entry points (sgemm.cpp) accept both layouts and every
// transpose. They describe each input once, as a pointer and two strides,
// and turn a column-major call into the row-major one it equals, so that a
// kernel is written for one case only:
//
//     C := alpha * A * B + beta * C,   A is M x K, B is K x N, C is M x N,
//     C row-major (element (i, j) at C[i * ldc + j]),
//     A and B in ANY layout: element (r, c) at data[r * row_stride + c * col_stride].
//
// A row-major operand has strides (ld, 1), a column-major one (1, ld), and a
// transpose swaps them. No data moves: the kernels read the operand where it
// lies, and the packed kernels absorb the strides while they pack.
//
// Sizes and offsets are std::ptrdiff_t (`index`): the public sizes are ints,
// but a loop bound such as N + NR - 1, or an offset i * ld, can exceed int.
#pragma once

#include <cstddef>

namespace gemmlab::detail {

using index = std::ptrdiff_t;

// A read-only matrix operand in any layout.
struct Operand {
  const float* data = nullptr;
  index row_stride = 0;  // floats from element (r, c) to (r + 1, c)
  index col_stride = 1;  // floats from element (r, c) to (r, c + 1)

  const float* at(index r, index c) const { return data + r * row_stride + c * col_stride; }
  float operator()(index r, index c) const { return *at(r, c); }
  // The same memory read as the transposed matrix: element (r, c) of the
  // result is element (c, r) of this one.
  Operand transposed() const { return {data, col_stride, row_stride}; }
  // Rows are contiguous (row-major storage of this operand).
  bool row_major() const { return col_stride == 1; }
};

// What is done to each element of C after the product (gemmlab/gemm.hpp,
// BiasActivation): C(i, j) := act(C(i, j) + bias[j]). The five-loop driver
// and the small paths apply it as they write C; after a direct kernel the
// dispatcher runs it as a pass over C.
struct Epilogue {
  enum class Op { none, bias_tanh, bias_relu };
  Op op = Op::none;
  const float* bias = nullptr;  // one float per column of the caller's C
  index prefetch_ahead = 0;     // BiasActivation::prefetch_ahead: 0, or floats from C to request
};

// What a kernel function receives. The dispatcher has checked the arguments
// and handled the trivial cases, so a kernel may assume M, N, K >= 1 and
// alpha != 0; beta == 0 means C must not be read (it may hold NaN), and only
// the M x N elements of C may be written.
struct GemmProblem {
  index M = 0, N = 0, K = 0;
  float alpha = 1.0f;
  // Where this problem's columns start in the caller's B: 0, or col0 of the
  // block() it came from. A B packed ahead of time (PackedMatrix) is found
  // by its absolute columns. (An int, beside alpha: see the size below.)
  int b_col0 = 0;
  Operand A, B;
  float beta = 0.0f;
  float* C = nullptr;
  index ldc = 0;
  // nullptr, or what to do to C after the product (its bias is indexed by
  // the caller's columns: the problem's column j is column b_col0 + j).
  const Epilogue* epilogue = nullptr;

  // Rows [row0, row0 + rows) and columns [col0, col0 + cols) of C, with the
  // rows of A and the columns of B they need: an independent multiplication.
  GemmProblem block(index row0, index rows, index col0, index cols) const {
    GemmProblem p = *this;
    p.M = rows;
    p.N = cols;
    p.A.data = A.at(row0, 0);
    p.B.data = B.at(0, col0);
    p.C = C + row0 * ldc + col0;
    p.b_col0 = static_cast<int>(b_col0 + col0);  // (a column of C: below N, an int)
    return p;
  }
};

// Every call zeroes one, and at 112 bytes GCC 12 does that with a few vector
// stores; at 120 and 128 it used `rep stos`, which takes tens of cycles to
// start (measured: a 4 x 4 x 4 sgemm went from about 30 to 45 ns). Hence
// the epilogue behind a pointer, and b_col0 an int in the padding after alpha.
static_assert(sizeof(GemmProblem) <= 112);

// Every kernel function has this signature.
using KernelFn = void (*)(const GemmProblem& p);

}  // namespace gemmlab::detail
