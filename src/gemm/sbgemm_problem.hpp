// src/gemm/sbgemm_problem.hpp — internal: one bf16 multiplication, as every
// bf16 kernel sees it.
//
//     C := alpha * A * B + beta * C,   A is M x K, B is K x N, C is M x N float, row-major,
//
// where A and B are bf16 numbers: either stored as bf16, or stored as float
// and rounded to bf16 (round to nearest even, gemmlab/bf16.hpp) by whoever
// reads them. The public entry points (sbgemm.cpp) describe both inputs by
// their strides exactly as sgemm's do (problem.hpp), and turn a column-major
// call into the row-major one it equals, so the kernels see one case only.
//
// Reading a float input as "the bf16 it rounds to" is what lets the packed
// kernels round while they pack: no rounded copy of A or B is ever made
// beyond the packed panels, which the kernel writes anyway.
#pragma once

#include "core/bf16_round.hpp"
#include "gemm/problem.hpp"
#include "gemmlab/bf16.hpp"

namespace gemmlab::detail {

// How an input is stored.
enum class Storage { bf16, f32 };

// A read-only bf16 operand in any layout: element (r, c) at
// data[r * row_stride + c * col_stride], counted in elements of its storage.
struct Bf16Operand {
  const void* data = nullptr;
  Storage storage = Storage::bf16;
  index row_stride = 0;
  index col_stride = 1;

  const bf16* bf16_at(index r, index c) const {
    return static_cast<const bf16*>(data) + r * row_stride + c * col_stride;
  }
  const float* f32_at(index r, index c) const {
    return static_cast<const float*>(data) + r * row_stride + c * col_stride;
  }
  // Element (r, c) as a bf16 (a float input rounded to nearest even).
  bf16 operator()(index r, index c) const {
    return storage == Storage::bf16 ? *bf16_at(r, c) : round_to_bf16(*f32_at(r, c));
  }
  // The operand that starts at element (r, c) of this one.
  Bf16Operand from(index r, index c) const {
    Bf16Operand o = *this;
    o.data = storage == Storage::bf16 ? static_cast<const void*>(bf16_at(r, c)) : f32_at(r, c);
    return o;
  }
  // The same memory read as the transposed matrix.
  Bf16Operand transposed() const { return {data, storage, col_stride, row_stride}; }
};

// What a bf16 kernel receives: the same promises as GemmProblem (the
// dispatcher has checked the arguments; M, N, K >= 1, alpha != 0; beta == 0
// never reads C; only the M x N elements of C are written).
struct SbgemmProblem {
  index M = 0, N = 0, K = 0;
  float alpha = 1.0f;
  Bf16Operand A, B;
  float beta = 0.0f;
  float* C = nullptr;
  index ldc = 0;
  // The first column of the caller's B that this problem's B starts at:
  // 0, or col0 of the block() it came from. A B packed ahead of time
  // (PackedBf16Matrix) is found by it, since it has no pointer to move.
  index b_col0 = 0;

  // Rows [row0, +rows) and columns [col0, +cols) of C: an independent multiplication.
  SbgemmProblem block(index row0, index rows, index col0, index cols) const {
    SbgemmProblem p = *this;
    p.M = rows;
    p.N = cols;
    p.A = A.from(row0, 0);
    if (B.data != nullptr) p.B = B.from(0, col0);
    p.C = C + row0 * ldc + col0;
    p.b_col0 = b_col0 + col0;
    return p;
  }
};

using Bf16KernelFn = void (*)(const SbgemmProblem& p);

}  // namespace gemmlab::detail
