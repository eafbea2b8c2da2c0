// gemmlab/rnn.hpp — the basic (Elman) RNN, computed with sgemm.
//
// One layer of H recurrent neurons, I inputs, batch B, T time steps:
//
//   h_t = act(x_t · Wx + h_{t-1} · Wy + b),   h_{-1} = h0 (zeros by default)
//
//   x_t : B x I  (row i is instance i at time t)
//   Wx  : I x H  (input weights),  Wy : H x H (recurrent weights)
//   b   : 1 x H  (added to every row),  h_t : B x H (one column per neuron)
//   act : tanh (the default) or relu
//
// The same Wx, Wy and b serve every step: that is what makes it recurrent.
// This is gemmlab's weight layout, which is also Keras's SimpleRNN
// (kernel = Wx, recurrent_kernel = Wy, bias = b). PyTorch's nn.RNN stores the
// transposes and two biases; weights_from_torch() converts (docs/rnn-layouts.md).
//
// Read in this order:
//   1. rnn_cell and seed_forward: the seed's two steps, written out one
//      sgemm at a time, exactly as the maths reads.
//   2. RnnForward: the same recurrence for any B, I, H, T, arranged for speed
//      (one GEMM for every step's input projection, a fused bias+activation
//      pass, no allocation after construction).
//
// Numerics: every result is within a first-order bound of the exact RNN of
// the same float inputs: the GEMM bound (gemmlab/numerics.hpp) on each
// pre-activation, the rounding of the bias addition, the error carried in
// from h_{t-1} through |Wy|, and the activation's own error (tanh_max_abs_error
// for tanh, 0 for relu). Both activations are 1-Lipschitz, so they do not
// grow an error in their argument. tests/test_rnn.cpp derives this bound.
// It assumes no overflow: finite inputs whose pre-activation terms add up
// beyond the largest float can give inf, nan, or a tanh of ±1 saturated by an
// overflowed sum. The layer computes as IEEE arithmetic does and does not
// check; `gemmlab rnn` refuses such inputs (src/cli/rnn_command.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "gemmlab/bf16.hpp"
#include "gemmlab/gemm.hpp"
#include "gemmlab/matrix.hpp"
#include "gemmlab/sbgemm.hpp"

namespace gemmlab {

// The largest absolute error of gemmlab's tanh (tanh_float below, and the
// vectorised pass inside rnn_cell and RnnForward) against the exact tanh of
// its float argument, for every float argument and every ISA variant.
// Measured by an exhaustive sweep of all non-negative floats (the function is
// odd, bit for bit) against double-precision std::tanh: every variant stays
// under 6.5 u (u = 2^-24; the figures per ISA are in docs/numerics.md). The
// error is the rounding of the float evaluation (the fitted rational itself
// is within 6.5e-9 of tanh). The bound is 8 u = 2^-21, with room for another
// compiler's different FMA contractions. src/rnn/tanh_formula.hpp explains the formula;
// tests/test_tanh.cpp re-checks the bound on a dense sweep for every variant
// this CPU runs.
inline constexpr double tanh_max_abs_error = 0x1.0p-21;

// Activation (tanh, relu) is declared in gemmlab/gemm.hpp, where sgemm can fuse it.
// "tanh", "relu"; activation_from_name throws std::invalid_argument listing both.
// A value that is neither enumerator (an integer cast to Activation) is an
// error wherever an Activation is taken: activation_name, RnnForward and
// rnn_forward throw std::invalid_argument naming the value.
std::string_view activation_name(Activation a);
Activation activation_from_name(std::string_view name);

// gemmlab's tanh for one float: a rational approximation, |error| <=
// tanh_max_abs_error; tanh(±0) = ±0, tanh(x) = x for tiny x, ±1 exactly for
// |x| >= 9.01 (from about 8.1 on, depending on the ISA variant), NaN stays NaN, tanh(±inf) = ±1.
float tanh_float(float x);
// The same over a span, vectorised for the best ISA this CPU has.
void tanh_in_place(std::span<float> values);

// One step. Y := tanh(X·Wx + Yprev·Wy + b). An empty Yprev (0 rows) stands for
// Y_{-1} = 0, so the recurrent product is skipped. Throws shape_error naming
// the operands whose shapes do not fit, and std::invalid_argument when Y
// overlaps an input (Y is written before Yprev is read: it cannot be
// updated in place).
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

// ---- the general layer ----------------------------------------------------------

// Weights in gemmlab's layout: Wx I x H, Wy H x H, b 1 x H.
struct RnnWeights {
  Matrix Wx;
  Matrix Wy;
  Matrix b;
  int inputs() const { return Wx.rows(); }
  int hidden() const { return Wx.cols(); }
};

// Checks that Wx is I x H, Wy H x H, b 1 x H with I, H >= 1; throws
// shape_error naming the operand otherwise. Copies the weights.
RnnWeights weights_from_gemmlab(ConstMatrixView Wx, ConstMatrixView Wy, ConstMatrixView b);

// PyTorch's nn.RNN layout: weight_ih H x I, weight_hh H x H, bias_ih and
// bias_hh 1 x H (either may be empty: no bias). Returns Wx = weight_ihᵀ,
// Wy = weight_hhᵀ, b = bias_ih + bias_hh (one float rounding).
RnnWeights weights_from_torch(ConstMatrixView weight_ih, ConstMatrixView weight_hh, ConstMatrixView bias_ih,
                              ConstMatrixView bias_hh);

// The fast forward pass for a fixed B and T. Construct once (this allocates
// every buffer and resolves the kernel), then call run() as often as you
// like: run() allocates nothing.
//
// The inputs of all T steps are stacked into one (T·B) x I matrix, step t in
// rows t·B .. t·B+B-1 (what torch calls a time-major, batch_first=False input,
// flattened). run() then
//   1. computes the input projection of every step as ONE GEMM,
//        H_all := X_all · Wx                      ((T·B) x I times I x H)
//      because it does not depend on the recurrence (Appleyard, Kociský &
//      Blunsom 2016, "Optimizing performance of recurrent neural networks on
//      GPUs": the cuDNN trick; one big GEMM runs far closer to peak than T small ones);
//   2. for t = 0 .. T-1, adds the recurrent product into that step's rows,
//        H_t += h_{t-1} · Wy                      (beta = 1; skipped at t = 0 without h0)
//   3. and in one pass over H_t adds b and applies the activation in place,
//      so H_t becomes h_t, the next step's input.
//
// Threads used by run(): `threads` (1 to max_num_threads), or 0 for the
// library's count (num_threads(), read at each run()). The batch rows are
// independent sequences, so run() splits them into near-equal slices, one
// per thread, and each thread carries its slice through all T steps with no
// barrier between steps (the input projection before them is split by
// rows too): the pool is woken twice per run(), not once per step. Every
// element is computed by the same kernel in the same order as on one
// thread, so the outputs are the same bits for any thread count
// (tests/test_rnn.cpp says why). Slices are at least 8 rows, and a run
// smaller than ~2·160³ flops stays on one thread.
//
// An RnnForward is not thread-safe. run() writes the object's own
// output buffer, so one object must not run in two threads at once, nor be
// read (outputs(), output(), final_state()) while another thread runs it.
// Give each thread its own RnnForward: separate objects share nothing and
// may run concurrently (sgemm accepts concurrent callers).
//
// Precision::f32 packs Wx and Wy once, here in the constructor, in the
// form the kernel reads (gemmlab::PackedMatrix): no step and no run()
// packs them again, and the results are the bits the unpacked weights give.
//
// Precision::bf16 runs the GEMMs with sbgemm (gemmlab/sbgemm.hpp): Wx and Wy
// are rounded to bf16 and packed once, here in the constructor; each step's input x_t
// and state h_{t-1} are rounded to bf16 as the GEMM packs them; the sums,
// the bias and the activation stay float, and so do the outputs. The kernel
// must then be a bf16 one or `simd` (the best bf16 kernel). The error this
// adds, step after step, is derived and bounded in tests/test_rnn.cpp and
// measured in docs/08-bf16-amx.md.
class RnnForward {
 public:
  RnnForward(Kernel k, RnnWeights weights, Activation activation, int batch, int steps,
             Precision precision = Precision::f32, int threads = 0);

  // x_all: (steps·batch) x inputs. h0: batch x hidden, or empty for zeros.
  // Throws shape_error (naming both shapes) when they do not fit.
  void run(ConstMatrixView x_all, ConstMatrixView h0 = ConstMatrixView());

  // After run(): every step's output stacked like the input, (steps·batch) x
  // hidden; one step's output (batch x hidden); and the final state h_{T-1}.
  ConstMatrixView outputs() const { return outputs_.block(0, 0, outputs_.rows(), hidden()); }
  ConstMatrixView output(int step) const;
  ConstMatrixView final_state() const { return output(steps_ - 1); }

  int batch() const { return batch_; }
  int steps() const { return steps_; }
  int inputs() const { return weights_.inputs(); }
  int hidden() const { return weights_.hidden(); }
  Kernel kernel() const { return kernel_; }
  Precision precision() const { return precision_; }
  Activation activation() const { return activation_; }
  const RnnWeights& weights() const { return weights_; }
  int threads() const { return threads_; }  // as given: 0 means the library's

 private:
  // C := A · W + beta C for M rows of A, with W = Wy (K = hidden) when
  // `recurrent`, else Wx (K = inputs), in the run's precision. `finish`:
  // then C := act(C + b) in the same call, fused into the product's
  // write-back (float only: returns false, and does not apply it, when the
  // precision has no fused form), with BiasActivation's prefetch hint.
  bool multiply(bool recurrent, int M, const float* A, int lda, float beta, float* C, bool finish = false,
                std::ptrdiff_t prefetch_ahead = 0) const;
  // The input projection of rows [first, last) of the stacked steps.
  void project(ConstMatrixView x_all, int first, int last);
  // Batch rows [row0, row0 + rows) through every step of the recurrence.
  void recur(ConstMatrixView h0, int row0, int rows);

  // Resolved once in the constructor: the concrete kernel the GEMMs run
  // (called through the public sgemm, whose checks cost a few nanoseconds)
  // and the bias+activation pass for this CPU's best ISA.
  using EpilogueFn = void (*)(float* values, const float* bias, std::size_t count);

  Kernel kernel_;
  Precision precision_;
  RnnWeights weights_;
  Activation activation_;
  int batch_;
  int steps_;
  int threads_ = 0;
  // Internally the hidden size is rounded up to whole vectors of the kernel
  // (padded_hidden_: 16 floats for simd-avx512, 8 for simd-avx2, else none),
  // with zero columns in Wx, Wy, b, so every GEMM and the fused pass work on
  // full vectors; outputs() and output() show only the hidden columns.
  int padded_hidden_ = 0;
  Matrix wx_padded_;  // inputs x padded_hidden_ (Wx, then zero columns); emptied once packed for float,
  Matrix wy_padded_;  // hidden x padded_hidden_ (Wy, then zero columns); except for the tiny path
  // Precision::f32: the two padded matrices packed once (PackedMatrix), in
  // the form the kernel reads (its panels, or for the small path and the
  // teaching kernels a row-major copy whose rows are not 1 KiB apart), so
  // that no step packs them or reads Wy with a stride that aliases in the
  // cache. Shared read-only by the threads of run(). Empty for bf16.
  std::optional<PackedMatrix> wx_f32_, wy_f32_;
  // Precision::bf16: the same two padded matrices rounded to bf16 and packed
  // once into the kernel's panels (PackedBf16Matrix), so that no step packs
  // them again; bf16-naive, which has no panels, reads them rounded in place
  // (wx_bf16_, wy_bf16_, same leading dimensions). Empty for float.
  std::optional<PackedBf16Matrix> wx_packed_, wy_packed_;
  std::vector<bf16> wx_bf16_, wy_bf16_;
  // min(batch, ~4096 / padded_hidden_) x padded_hidden_, b on every row: the fused pass walks it flat
  Matrix bias_tile_;
  Matrix outputs_;  // (steps·batch) x padded_hidden_
  Kernel gemm_kernel_ = Kernel::naive;
  EpilogueFn epilogue_ = nullptr;  // values[i] := act(values[i] + bias[i])
  // The specialised forward pass of a tiny RNN (src/rnn/tiny_rnn.hpp: the
  // seed's size on simd-avx512), which reads wx_padded_ and wy_padded_.
  bool tiny_ = false;
};

// Convenience: allocates an RnnForward and runs it once. Returns the
// (steps·batch) x hidden outputs; steps = x_all.rows() / batch.
Matrix rnn_forward(Kernel k, const RnnWeights& weights, Activation activation, ConstMatrixView x_all, int batch,
                   ConstMatrixView h0 = ConstMatrixView(), Precision precision = Precision::f32);

}  // namespace gemmlab
