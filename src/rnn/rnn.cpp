// The basic RNN: the seed's cell and two-step forward (read these first), then
// the general layer with the fast forward pass.
#include "gemmlab/rnn.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "gemm/threads.hpp"
#include "gemmlab/random.hpp"
#include "gemmlab/sbgemm.hpp"
#include "rnn/activation.hpp"
#include "rnn/tanh_formula.hpp"
#include "rnn/tiny_rnn.hpp"

namespace gemmlab {
namespace {

std::string shape_of(ConstMatrixView m) { return shape_string(m.rows(), m.cols()); }

void require_shape(bool ok, const char* where, const std::string& message) {
  if (!ok) throw shape_error(std::string(where).append(": ").append(message));
}

// An Activation made from an integer (static_cast<Activation>(7)) is neither
// value; it is refused rather than silently run as one of them.
[[noreturn]] void invalid_activation(const char* where, Activation a) {
  throw std::invalid_argument(std::string(where)
                                  .append(": invalid Activation value ")
                                  .append(std::to_string(static_cast<int>(a)))
                                  .append(" (valid: tanh = 0, relu = 1)"));
}

}  // namespace

std::string_view activation_name(Activation a) {
  switch (a) {
    case Activation::tanh:
      return "tanh";
    case Activation::relu:
      return "relu";
  }
  invalid_activation("activation_name", a);
}

Activation activation_from_name(std::string_view name) {
  if (name == "tanh") return Activation::tanh;
  if (name == "relu") return Activation::relu;
  throw std::invalid_argument(std::string("unknown activation '").append(name).append("' (valid: tanh, relu)"));
}

float tanh_float(float x) { return detail::tanh_rational(x); }

void tanh_in_place(std::span<float> values) { detail::best_activation_variant().tanh(values.data(), values.size()); }

// ---- the seed, as written -----------------------------------------------------

void rnn_cell(Kernel k, ConstMatrixView X, ConstMatrixView Wx, ConstMatrixView Yprev, ConstMatrixView Wy,
              ConstMatrixView b, MatrixView Y) {
  const int batch = X.rows();
  const int hidden = Wx.cols();
  // Shape checks; each message is built only when its check fails (building
  // the strings every call would cost more than the seed's arithmetic).
  const char* where = "rnn_cell";
  if (X.cols() != Wx.rows())
    require_shape(false, where, "X is " + shape_of(X) + " but Wx is " + shape_of(Wx) + " (X.cols must equal Wx.rows)");
  if (Y.rows() != batch || Y.cols() != hidden)
    require_shape(false, where, "Y is " + shape_of(Y) + " but X·Wx is " + shape_string(batch, hidden));
  if (b.rows() != 1 || b.cols() != hidden)
    require_shape(false, where, "b is " + shape_of(b) + " but must be " + shape_string(1, hidden));
  const bool has_state = Yprev.rows() > 0;
  if (has_state) {
    if (Yprev.rows() != batch || Yprev.cols() != hidden)
      require_shape(false, where, "Yprev is " + shape_of(Yprev) + " but must be " + shape_string(batch, hidden));
    if (Wy.rows() != hidden || Wy.cols() != hidden)
      require_shape(false, where, "Wy is " + shape_of(Wy) + " but must be " + shape_string(hidden, hidden));
  }

  gemm(k, X, Wx, Y, 1.0f, 0.0f);                     // Y  = X·Wx
  if (has_state) gemm(k, Yprev, Wy, Y, 1.0f, 1.0f);  // Y += Yprev·Wy
  for (int i = 0; i < batch; ++i)                    // Y = tanh(Y + b), b on every row
    for (int j = 0; j < hidden; ++j) Y(i, j) = tanh_float(Y(i, j) + b(0, j));
}

SeedExample make_seed_example(std::uint64_t rng_seed) {
  SeedExample s;
  s.X0 = Matrix::from_rows({{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {9, 0, 1}});
  s.X1 = Matrix::from_rows({{9, 8, 7}, {0, 0, 0}, {6, 5, 4}, {3, 2, 1}});
  SplitMix64 rng(rng_seed);
  s.Wx = random_normal(3, 5, rng);
  s.Wy = random_normal(5, 5, rng);
  s.b = Matrix(1, 5);
  return s;
}

TwoStepOutput seed_forward(Kernel k, const SeedExample& s) {
  TwoStepOutput out{Matrix(s.X0.rows(), s.Wx.cols()), Matrix(s.X1.rows(), s.Wx.cols())};
  rnn_cell(k, s.X0, s.Wx, ConstMatrixView(), s.Wy, s.b, out.Y0);  // Y0 = tanh(X0·Wx + b)
  rnn_cell(k, s.X1, s.Wx, out.Y0, s.Wy, s.b, out.Y1);             // Y1 = tanh(Y0·Wy + X1·Wx + b)
  return out;
}

// ---- weights in the frameworks' layouts ---------------------------------------------

RnnWeights weights_from_gemmlab(ConstMatrixView Wx, ConstMatrixView Wy, ConstMatrixView b) {
  const char* where = "rnn weights (gemmlab layout)";
  require_shape(Wx.rows() >= 1 && Wx.cols() >= 1, where, "Wx is " + shape_of(Wx) + " but must be at least 1x1");
  const int hidden = Wx.cols();
  require_shape(
      Wy.rows() == hidden && Wy.cols() == hidden, where,
      "Wy is " + shape_of(Wy) + " but must be " + shape_string(hidden, hidden) + " since Wx is " + shape_of(Wx));
  require_shape(b.rows() == 1 && b.cols() == hidden, where,
                "b is " + shape_of(b) + " but must be " + shape_string(1, hidden) + " since Wx is " + shape_of(Wx));
  RnnWeights w{Matrix(Wx.rows(), hidden), Matrix(hidden, hidden), Matrix(1, hidden)};
  copy(Wx, w.Wx);
  copy(Wy, w.Wy);
  copy(b, w.b);
  return w;
}

RnnWeights weights_from_torch(ConstMatrixView weight_ih, ConstMatrixView weight_hh, ConstMatrixView bias_ih,
                              ConstMatrixView bias_hh) {
  const char* where = "rnn weights (torch layout)";
  require_shape(weight_ih.rows() >= 1 && weight_ih.cols() >= 1, where,
                "weight_ih is " + shape_of(weight_ih) + " but must be at least 1x1");
  const int hidden = weight_ih.rows(), inputs = weight_ih.cols();
  require_shape(weight_hh.rows() == hidden && weight_hh.cols() == hidden, where,
                "weight_hh is " + shape_of(weight_hh) + " but must be " + shape_string(hidden, hidden) +
                    " since weight_ih is " + shape_of(weight_ih));
  for (ConstMatrixView bias : {bias_ih, bias_hh})
    require_shape(bias.empty() || (bias.rows() == 1 && bias.cols() == hidden), where,
                  "a bias is " + shape_of(bias) + " but must be " + shape_string(1, hidden) + " since weight_ih is " +
                      shape_of(weight_ih));
  RnnWeights w{Matrix(inputs, hidden), Matrix(hidden, hidden), Matrix(1, hidden)};
  for (int i = 0; i < inputs; ++i)  // torch computes x · weight_ihᵀ: Wx = weight_ihᵀ
    for (int j = 0; j < hidden; ++j) w.Wx(i, j) = weight_ih(j, i);
  for (int i = 0; i < hidden; ++i)  // and h · weight_hhᵀ: Wy = weight_hhᵀ
    for (int j = 0; j < hidden; ++j) w.Wy(i, j) = weight_hh(j, i);
  for (int j = 0; j < hidden; ++j)  // torch adds both biases; we add them once, here
    w.b(0, j) = (bias_ih.empty() ? 0.0f : bias_ih(0, j)) + (bias_hh.empty() ? 0.0f : bias_hh(0, j));
  return w;
}

// ---- the fast forward pass ---------------------------------------------------------

namespace {
// run() splits the batch between threads only where that pays: a slice of
// fewer rows than this leaves the small path's tiles too short to hide the
// FMA latency, and below the flop count the wake-up of a worker (a few
// microseconds) is a large part of the run (the same threshold as sgemm's
// packed path, docs/07-threads.md).
constexpr int kMinSliceRows = 8;
constexpr double kMinParallelFlops = 2.0 * 160 * 160 * 160;
}  // namespace

RnnForward::RnnForward(Kernel k, RnnWeights weights, Activation activation, int batch, int steps, Precision precision,
                       int threads)
    : kernel_(k),
      precision_(precision),
      weights_(std::move(weights)),
      activation_(activation),
      batch_(batch),
      steps_(steps),
      threads_(threads) {
  const char* where = "RnnForward";
  if (batch < 1 || steps < 1)
    throw std::invalid_argument("RnnForward: batch " + std::to_string(batch) + " and steps " + std::to_string(steps) +
                                " must both be at least 1");
  if (threads < 0 || threads > max_num_threads)
    throw std::invalid_argument("RnnForward: threads " + std::to_string(threads) + " is not in 0.." +
                                std::to_string(max_num_threads) + " (0: the library's count, num_threads())");
  // Re-check the weights (a caller may have built RnnWeights by hand).
  const int hidden = weights_.hidden();
  require_shape(weights_.Wx.rows() >= 1 && hidden >= 1, where,
                "Wx is " + shape_of(weights_.Wx) + " but must be at least 1x1");
  require_shape(weights_.Wy.rows() == hidden && weights_.Wy.cols() == hidden, where,
                "Wy is " + shape_of(weights_.Wy) + " but must be " + shape_string(hidden, hidden));
  require_shape(weights_.b.rows() == 1 && weights_.b.cols() == hidden, where,
                "b is " + shape_of(weights_.b) + " but must be " + shape_string(1, hidden));
  if (static_cast<long long>(batch) * steps > 0x7fffffff)
    throw std::invalid_argument("RnnForward: steps x batch = " + std::to_string(static_cast<long long>(batch) * steps) +
                                " rows do not fit in an int");

  // The kernel: check once that it can run here, then keep its concrete name.
  if (precision != Precision::f32 && precision != Precision::bf16)
    throw std::invalid_argument("RnnForward: invalid Precision value " + std::to_string(static_cast<int>(precision)));
  if (!kernel_computes(k, precision))
    throw std::invalid_argument(
        std::string("RnnForward: kernel '")
            .append(kernel_name(k))
            .append("' does not compute ")
            .append(precision_name(precision))
            .append(precision == Precision::bf16 ? " (a bf16 kernel or simd)" : " (a float kernel)"));
  gemm_kernel_ = resolve_kernel(k, precision);
  if (!kernel_available(gemm_kernel_))
    throw std::invalid_argument(std::string("RnnForward: kernel '")
                                    .append(kernel_name(k))
                                    .append("' is not available here: ")
                                    .append(kernel_status(gemm_kernel_)));

  const detail::ActivationVariant& variant = detail::best_activation_variant();
  switch (activation) {
    case Activation::tanh:
      epilogue_ = variant.bias_tanh;
      break;
    case Activation::relu:
      epilogue_ = variant.bias_relu;
      break;
    default:
      invalid_activation(where, activation);
  }

  // Whole vectors. Every matrix the GEMMs write (outputs_) and the recurrent
  // weights' columns are padded from H to a multiple of the kernel's vector
  // width with zero columns: Wx and Wy get zero columns, b zeros, so the
  // padded columns of out compute act(0) = 0 and never reach the real ones
  // (column j of a product depends only on column j of its B). What it buys:
  // with H = 5 (the seed) every row of out was a 5-lane masked store, and a
  // load that overlaps a masked store cannot take its data from the store
  // buffer: it waits until the store reaches L1, about 20 cycles here, three
  // times per seed forward (GEMM -> pass -> GEMM -> pass). With 16 columns
  // the stores are whole vectors and the next load is forwarded. The real
  // columns' arithmetic is unchanged, so the results are the same bits.
  // Measured, see docs/rnn-performance.md ("Whole vectors").
  const int lanes = kernel_whole_vector_floats(gemm_kernel_);  // 16 for simd-avx512 and bf16-avx512, 8 for simd-avx2
  padded_hidden_ = (hidden + lanes - 1) / lanes * lanes;
  wx_padded_ = Matrix(weights_.Wx.rows(), padded_hidden_);
  wy_padded_ = Matrix(hidden, padded_hidden_);
  copy(weights_.Wx, wx_padded_.block(0, 0, weights_.Wx.rows(), hidden));
  copy(weights_.Wy, wy_padded_.block(0, 0, hidden, hidden));
#if defined(GEMMLAB_HAVE_AVX512)
  // A tiny RNN on simd-avx512 runs the specialised forward pass, which reads
  // the padded weights as they are (the same bits as the general path:
  // tiny_rnn.hpp). Any other size, kernel or precision takes the general one.
  tiny_ = precision == Precision::f32 && gemm_kernel_ == Kernel::simd_avx512 &&
          padded_hidden_ == detail::tiny_rnn_width && batch <= detail::tiny_rnn_max_batch &&
          weights_.inputs() <= detail::tiny_rnn_max_inputs;
#endif
  if (tiny_) {
    // Nothing to pack: the tiny path reads wx_padded_ and wy_padded_ as they are.
  } else if (precision == Precision::f32) {
    // Packed once, here, in the kernel's form; every step and run() reuses them.
    wx_f32_.emplace(gemm_kernel_, Layout::row_major, Transpose::no_trans, wx_padded_.rows(), padded_hidden_,
                    wx_padded_.data(), wx_padded_.ld());
    wy_f32_.emplace(gemm_kernel_, Layout::row_major, Transpose::no_trans, hidden, padded_hidden_, wy_padded_.data(),
                    wy_padded_.ld());
    wx_padded_ = Matrix();  // the packed copies are all the products read
    wy_padded_ = Matrix();
  } else {  // bf16: rounded (and packed) once, here; every run() reuses them
    if (!kernel_micro_kernel(gemm_kernel_).empty()) {
      wx_packed_.emplace(gemm_kernel_, Layout::row_major, Transpose::no_trans, wx_padded_.rows(), padded_hidden_,
                         wx_padded_.data(), wx_padded_.ld());
      wy_packed_.emplace(gemm_kernel_, Layout::row_major, Transpose::no_trans, hidden, padded_hidden_,
                         wy_padded_.data(), wy_padded_.ld());
    } else {
      const auto rounded = [](const Matrix& m) {
        std::vector<bf16> out(static_cast<std::size_t>(m.rows()) * m.ld());
        to_bf16(std::span<const float>(m.data(), out.size()), out);
        return out;
      };
      wx_bf16_ = rounded(wx_padded_);
      wy_bf16_ = rounded(wy_padded_);
    }
  }

  // b repeated on whole rows, so the fused pass is a flat loop over B x H
  // that never indexes by column. Not on every batch row: a tile of about
  // bias_tile_floats (the whole batch when it is smaller) is reused down the
  // step's block, so a large batch does not pay a second B x H matrix.
  constexpr int bias_tile_floats = 4096;  // 16 KiB: stays in L1 next to the block it is added to
  const int tile_rows = std::min(batch, std::max(1, (bias_tile_floats + padded_hidden_ - 1) / padded_hidden_));
  bias_tile_ = Matrix(tile_rows, padded_hidden_);
  for (int i = 0; i < tile_rows; ++i)
    for (int j = 0; j < hidden; ++j) bias_tile_(i, j) = weights_.b(0, j);
  outputs_ = Matrix(steps * batch, padded_hidden_);
}

ConstMatrixView RnnForward::output(int step) const {
  if (step < 0 || step >= steps_)
    throw std::out_of_range("RnnForward::output: step " + std::to_string(step) + " is not in 0.." +
                            std::to_string(steps_ - 1));
  return outputs_.block(step * batch_, 0, batch_, hidden());
}

[[gnu::always_inline]] inline bool RnnForward::multiply(bool recurrent, int M, const float* A, int lda, float beta,
                                                        float* C, bool finish, std::ptrdiff_t prefetch_ahead) const {
  const int ldo = outputs_.ld();
  const std::optional<PackedMatrix>& f32 = recurrent ? wy_f32_ : wx_f32_;
  if (f32) {  // float, packed once in the constructor
    if (finish)
      sgemm(M, 1.0f, A, lda, *f32, beta, C, ldo, BiasActivation{bias_tile_.data(), activation_, prefetch_ahead});
    else
      sgemm(M, 1.0f, A, lda, *f32, beta, C, ldo);
    return finish;
  }
  const std::optional<PackedBf16Matrix>& packed = recurrent ? wy_packed_ : wx_packed_;
  if (packed) {  // bf16, rounded and packed once in the constructor
    sbgemm(M, 1.0f, A, lda, *packed, beta, C, ldo);
    return false;
  }
  // bf16-naive: the rounded weights in place
  const Matrix& W = recurrent ? wy_padded_ : wx_padded_;
  sbgemm(gemm_kernel_, M, padded_hidden_, recurrent ? hidden() : inputs(), 1.0f, A, lda,
         (recurrent ? wy_bf16_ : wx_bf16_).data(), W.ld(), beta, C, ldo);
  return false;
}

// 1. The input projection, out := X_all · Wx, for stacked rows [first,
//    last): one GEMM for all of them (on one thread, every step's at once).
[[gnu::always_inline]] inline void RnnForward::project(ConstMatrixView x_all, int first, int last) {
  multiply(false, last - first, x_all.data() + static_cast<std::size_t>(first) * x_all.ld(), x_all.ld(), 0.0f,
           outputs_.data() + static_cast<std::size_t>(first) * outputs_.ld());
}

[[gnu::always_inline]] inline void RnnForward::recur(ConstMatrixView h0, int row0, int rows) {
  const int B = batch_, T = steps_;
  const bool has_h0 = !h0.empty();
  const int Hp = padded_hidden_;  // H rounded up to whole vectors (see the constructor)
  const int ldo = outputs_.ld();
  float* out = outputs_.data() + static_cast<std::size_t>(row0) * ldo;  // this slice's rows of step 0
  const float* bias = bias_tile_.data();
  const std::size_t step_size = static_cast<std::size_t>(B) * ldo;                 // from one step's block to the next
  const std::size_t slice_size = static_cast<std::size_t>(rows) * ldo;             // this slice's part of a block
  const std::size_t tile_size = static_cast<std::size_t>(bias_tile_.rows()) * Hp;  // whole rows

  // 2. The recurrence: only this part is sequential.
  for (int t = 0; t < T; ++t) {
    float* h_t = out + static_cast<std::size_t>(t) * step_size;
    // out_t += h_{t-1} · Wy (out_0 += h0 · Wy), and in float h_t := act(out_t
    // + b) in the same call: fused into the product's write-back, where the
    // values are still in registers (the small path) or L1 (the five loops).
    // As each piece is finished, the same piece of the next step's block is
    // requested (the prefetch hint), as the separate pass below does, for
    // the reason given there.
    const std::ptrdiff_t ahead = t + 1 < T ? static_cast<std::ptrdiff_t>(step_size) : 0;
    bool finished = false;
    if (t > 0)
      finished = multiply(true, rows, h_t - step_size, ldo, 1.0f, h_t, true, ahead);
    else if (has_h0)
      finished =
          multiply(true, rows, h0.data() + static_cast<std::size_t>(row0) * h0.ld(), h0.ld(), 1.0f, h_t, true, ahead);
    if (finished) continue;
    // 3. Otherwise (step 0 without h0, or bf16) h_t := act(out_t + b), one pass over the slice's rows of the block,
    //    in pieces of kPiece floats. Before each piece, the same stretch of
    //    the next step's block is requested: the projection wrote it long ago
    //    (for a long sequence it has left L2), and the next recurrent GEMM
    //    reads and writes all of it. The pass is arithmetic-bound, so the
    //    misses are served while it computes instead of stalling that GEMM
    //    (measured: docs/rnn-performance.md). Elementwise, so the same bits.
    //    A piece never crosses the end of the bias tile, which holds whole
    //    rows, and a slice starts at a row: the tile starts there too.
    constexpr std::size_t kPiece = 64;  // 4 cache lines
    const float* next_step = t + 1 < T ? h_t + step_size : nullptr;
    std::size_t in_tile = 0;  // position of `done` within the bias tile
    for (std::size_t done = 0; done < slice_size;) {
      const std::size_t piece = std::min({kPiece, slice_size - done, tile_size - in_tile});
      if (next_step != nullptr)
        for (std::size_t f = 0; f < piece; f += 16) __builtin_prefetch(next_step + done + f, 1, 3);
      epilogue_(h_t + done, bias + in_tile, piece);
      done += piece;
      in_tile += piece;
      if (in_tile == tile_size) in_tile = 0;
    }
  }
}

void RnnForward::run(ConstMatrixView x_all, ConstMatrixView h0) {
  const int B = batch_, I = inputs(), H = hidden(), T = steps_;
  // Shape checks first; the messages are built only when a check fails.
  if (x_all.rows() != T * B || x_all.cols() != I)
    require_shape(false, "RnnForward::run",
                  "x_all is " + shape_of(x_all) + " but must be " + shape_string(T * B, I) + " (" + std::to_string(T) +
                      " steps of batch " + std::to_string(B) + ", " + std::to_string(I) + " inputs)");
  const bool has_h0 = !h0.empty();
  if (has_h0 && (h0.rows() != B || h0.cols() != H))
    require_shape(false, "RnnForward::run", "h0 is " + shape_of(h0) + " but must be " + shape_string(B, H));

#if defined(GEMMLAB_HAVE_AVX512)
  if (tiny_) {  // the whole forward pass in one call (tiny_rnn.hpp)
    detail::TinyRnn r;
    r.batch = B;
    r.inputs = I;
    r.hidden = H;
    r.steps = T;
    r.x = x_all.data();
    r.ldx = x_all.ld();
    r.h0 = has_h0 ? h0.data() : nullptr;
    r.ldh = has_h0 ? h0.ld() : 0;
    r.wx = wx_padded_.data();
    r.wy = wy_padded_.data();
    r.bias = bias_tile_.data();
    r.relu = activation_ == Activation::relu;
    r.out = outputs_.data();
    r.ldo = outputs_.ld();
    detail::tiny_rnn_forward_avx512(r);
    return;
  }
#endif

  // The slices: near-equal runs of whole batch rows, one per thread.
  const double flops = 2.0 * T * B * static_cast<double>(H) * (I + H);
  const int parts = flops < kMinParallelFlops || B < 2 * kMinSliceRows
                        ? 1
                        : std::min(threads_ > 0 ? threads_ : num_threads(), B / kMinSliceRows);
  if (parts == 1) {
    project(x_all, 0, T * B);
    recur(h0, 0, B);
    return;
  }
  // Two rounds on the pool, each waking it once: the projection, its T·B
  // stacked rows in `parts` near-equal blocks (one GEMM each, not one per
  // step); then the
  // recurrence, the batch rows in `parts` slices. Between them run_parallel's
  // return is the barrier: a slice's steps read projections that any thread
  // may have written.
  const auto share = [parts](int n, int part) { return static_cast<int>(static_cast<long long>(n) * part / parts); };
  auto projection = [&](int part) { project(x_all, share(T * B, part), share(T * B, part + 1)); };
  detail::run_parallel(parts, detail::TaskRef(projection));
  auto recurrence = [&](int part) { recur(h0, share(B, part), share(B, part + 1) - share(B, part)); };
  detail::run_parallel(parts, detail::TaskRef(recurrence));
}

Matrix rnn_forward(Kernel k, const RnnWeights& weights, Activation activation, ConstMatrixView x_all, int batch,
                   ConstMatrixView h0, Precision precision) {
  if (batch < 1 || x_all.rows() % batch != 0 || x_all.rows() == 0)
    throw shape_error("rnn_forward: x_all is " + shape_of(x_all) +
                      ", which is not a whole number (>= 1) of steps of batch " + std::to_string(batch));
  RnnForward forward(k, weights, activation, batch, x_all.rows() / batch, precision);
  forward.run(x_all, h0);
  Matrix out(forward.outputs().rows(), forward.outputs().cols());
  copy(forward.outputs(), out);
  return out;
}

}  // namespace gemmlab
