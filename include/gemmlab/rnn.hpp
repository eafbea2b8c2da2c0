// gemmlab/rnn.hpp — the basic RNN of the seed example, computed with sgemm.
//
// One layer of H recurrent neurons with tanh, I inputs, batch B:
//
//   Y_t = tanh(X_t · Wx + Y_{t-1} · Wy + b),   Y_{-1} = 0
//
//   X_t : B x I  (row i is instance i at time t)
//   Wx  : I x H  (input weights),  Wy : H x H (recurrent weights)
//   b   : 1 x H  (added to every row),  Y_t : B x H (one column per neuron)
//
// The same Wx, Wy and b serve every step: that is what makes it recurrent.
// The seed is I = 3, H = 5, B = 4, two steps, Wx and Wy drawn from N(0, 1),
// b = 0 (see DEVELOPERS.md and docs/seed.md).
#pragma once

#include <cstdint>

#include "gemmlab/gemm.hpp"
#include "gemmlab/matrix.hpp"

namespace gemmlab {

// The largest absolute error of the tanh that rnn_cell applies, against the
// exact tanh of its float argument. It is std::tanh on float today (glibc
// documents at most 2 ulp for tanhf; |tanh| <= 1, so 2 ulp <= 2u absolute).
inline constexpr double tanh_max_abs_error = 0x1.0p-23;

// One step. Y := tanh(X·Wx + Yprev·Wy + b). An empty Yprev (0 rows) stands for
// Y_{-1} = 0, so the recurrent product is skipped. Throws shape_error naming
// the operands whose shapes do not fit.
void rnn_cell(Kernel k, ConstMatrixView X, ConstMatrixView Wx, ConstMatrixView Yprev, ConstMatrixView Wy,
              ConstMatrixView b, MatrixView Y);

// The seed's data: the two input batches and weights drawn with a fixed seed.
struct SeedExample {
  Matrix X0;  // 4 x 3, t = 0
  Matrix X1;  // 4 x 3, t = 1
  Matrix Wx;  // 3 x 5, N(0, 1)
  Matrix Wy;  // 5 x 5, N(0, 1)
  Matrix b;   // 1 x 5, zeros
};

// The generator seed used by `gemmlab rnn` and `make run`.
inline constexpr std::uint64_t seed_example_rng_seed = 42;

// X0, X1 as in the seed; Wx then Wy filled row by row from
// SplitMix64(rng_seed).normal() (gemmlab/random.hpp); b = 0.
SeedExample make_seed_example(std::uint64_t rng_seed = seed_example_rng_seed);

struct TwoStepOutput {
  Matrix Y0;  // 4 x 5
  Matrix Y1;  // 4 x 5
};

// The seed's forward pass, unrolled over its two steps exactly as written:
//   Y0 = tanh(X0·Wx + b)
//   Y1 = tanh(Y0·Wy + X1·Wx + b)
TwoStepOutput seed_forward(Kernel k, const SeedExample& seed);

}  // namespace gemmlab
