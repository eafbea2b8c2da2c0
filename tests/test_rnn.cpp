// The RNN: the seed's two steps against a double-precision reference, the
// seed's built-in invariant, and a larger RNN with every kernel.
#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>

#include "gemm/bf16_microkernel.hpp"
#include "gemm/goto.hpp"
#include "gemmlab/bf16.hpp"
#include "gemmlab/numerics.hpp"
#include "gemmlab/rnn.hpp"
#include "gemmlab/sbgemm.hpp"
#include "test_util.hpp"

namespace gemmlab {
namespace {

// A bound on the rounding error of one pre-activation as gemmlab computes it
// (rnn_cell and RnnForward alike): P = X·Wx, a GEMM with K = I; then
// P += Yprev·Wy, a GEMM with K = H and beta = 1, so |P| joins that GEMM's
// absolute sum; then P + b, one more rounding. Each GEMM obeys the bound of
// gemmlab/numerics.hpp; x_sum = sum |x||Wx|, h_sum = sum |y_prev||Wy|.
double preactivation_bound(int I, int H, double x_sum, double h_sum, double bias, bool recurrent) {
  const double projection = gemm_error_bound(I, x_sum);
  const double rec = recurrent ? gemm_error_bound(H, h_sum + x_sum + projection) : 0.0;
  return projection + rec + unit_roundoff * (x_sum + h_sum + std::fabs(bias) + projection + rec);
}

// A double-precision RNN step from the same float inputs, with a first-order
// error bound for the float computation: the pre-activation bound above, the
// error carried in from the previous step through |Wy|, and tanh's own error;
// tanh is 1-Lipschitz so it does not grow the pre-activation error.
struct StepReference {
  std::vector<double> y;      // B x H
  std::vector<double> bound;  // B x H
};

StepReference reference_step(const Matrix& X, const Matrix& Wx, const Matrix& Wy, const Matrix& b,
                             const Matrix* Yprev_float, const StepReference* prev) {
  const int B = X.rows(), I = X.cols(), H = Wx.cols();
  StepReference r{std::vector<double>(std::size_t(B) * H), std::vector<double>(std::size_t(B) * H)};
  for (int i = 0; i < B; ++i)
    for (int j = 0; j < H; ++j) {
      double pre = b(0, j), x_sum = 0.0, h_sum = 0.0, carried = 0.0;
      for (int p = 0; p < I; ++p) {
        pre += double(X(i, p)) * Wx(p, j);
        x_sum += std::fabs(double(X(i, p)) * Wx(p, j));
      }
      if (prev != nullptr) {
        for (int p = 0; p < H; ++p) {
          // The exact recurrence uses the exact previous state; the float code
          // used its own Y_prev, which is within prev->bound of it.
          pre += prev->y[std::size_t(i) * H + p] * Wy(p, j);
          h_sum += std::fabs(double((*Yprev_float)(i, p)) * Wy(p, j));
          carried += prev->bound[std::size_t(i) * H + p] * std::fabs(double(Wy(p, j)));
        }
      }
      r.y[std::size_t(i) * H + j] = std::tanh(pre);
      r.bound[std::size_t(i) * H + j] =
          preactivation_bound(I, H, x_sum, h_sum, b(0, j), prev != nullptr) + carried + tanh_max_abs_error;
    }
  return r;
}

void expect_within(const Matrix& got, const StepReference& ref, const std::string& what) {
  for (int i = 0; i < got.rows(); ++i)
    for (int j = 0; j < got.cols(); ++j) {
      const std::size_t at = std::size_t(i) * got.cols() + j;
      EXPECT_LE(std::fabs(got(i, j) - ref.y[at]), ref.bound[at]) << what << " at (" << i << ", " << j << ")";
    }
}

class RnnEveryKernel : public ::testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override { GEMMLAB_SKIP_IF_UNAVAILABLE(GetParam()); }
};
INSTANTIATE_TEST_SUITE_P(Kernels, RnnEveryKernel, ::testing::ValuesIn(all_kernels()), testing::param_name);

TEST(SeedExample, HasTheSeedsShapesAndInputs) {
  const SeedExample s = make_seed_example();
  EXPECT_EQ(s.X0.rows(), 4);
  EXPECT_EQ(s.X0.cols(), 3);
  EXPECT_EQ(s.Wx.rows(), 3);
  EXPECT_EQ(s.Wx.cols(), 5);
  EXPECT_EQ(s.Wy.rows(), 5);
  EXPECT_EQ(s.Wy.cols(), 5);
  EXPECT_EQ(s.b.rows(), 1);
  EXPECT_EQ(s.b.cols(), 5);
  EXPECT_EQ(s.X0(3, 0), 9.0f);
  EXPECT_EQ(s.X1(0, 2), 7.0f);
  for (int j = 0; j < 5; ++j) EXPECT_EQ(s.b(0, j), 0.0f);
  // The same seed gives the same weights; another seed gives others.
  const SeedExample again = make_seed_example();
  EXPECT_EQ(again.Wy(4, 4), s.Wy(4, 4));
  EXPECT_NE(make_seed_example(7).Wx(0, 0), s.Wx(0, 0));
}

TEST_P(RnnEveryKernel, SeedForwardMatchesDoubleReference) {
  const SeedExample s = make_seed_example();
  const TwoStepOutput y = seed_forward(GetParam(), s);
  ASSERT_EQ(y.Y0.rows(), 4);
  ASSERT_EQ(y.Y0.cols(), 5);
  ASSERT_EQ(y.Y1.rows(), 4);
  ASSERT_EQ(y.Y1.cols(), 5);
  const StepReference r0 = reference_step(s.X0, s.Wx, s.Wy, s.b, nullptr, nullptr);
  const StepReference r1 = reference_step(s.X1, s.Wx, s.Wy, s.b, &y.Y0, &r0);
  expect_within(y.Y0, r0, "Y0");
  expect_within(y.Y1, r1, "Y1");
}

TEST_P(RnnEveryKernel, SeedInvariantRow2IsTwiceRow1MinusRow0) {
  // X0 row 2 = 2*row 1 - row 0 and b = 0, so the pre-activations obey the same
  // relation: atanh(Y0[2]) = 2 atanh(Y0[1]) - atanh(Y0[0]) for every neuron.
  // atanh amplifies an error e in y by 1/(1 - y^2), so we check only neurons
  // where every |y| < 0.99 and propagate the bound through that factor.
  const SeedExample s = make_seed_example();
  const TwoStepOutput y = seed_forward(GetParam(), s);
  const StepReference r0 = reference_step(s.X0, s.Wx, s.Wy, s.b, nullptr, nullptr);
  int checked = 0;
  for (int j = 0; j < 5; ++j) {
    const double y0 = y.Y0(0, j), y1 = y.Y0(1, j), y2 = y.Y0(2, j);
    if (std::fabs(y0) >= 0.99 || std::fabs(y1) >= 0.99 || std::fabs(y2) >= 0.99) continue;
    auto slack = [&](int row, double v) {  // error of atanh(v) from the error of v
      return r0.bound[std::size_t(row) * 5 + j] / (1.0 - (std::fabs(v) + r0.bound[std::size_t(row) * 5 + j]) *
                                                             (std::fabs(v) + r0.bound[std::size_t(row) * 5 + j]));
    };
    const double lhs = std::atanh(y2), rhs = 2 * std::atanh(y1) - std::atanh(y0);
    EXPECT_NEAR(lhs, rhs, slack(2, y2) + 2 * slack(1, y1) + slack(0, y0)) << "neuron " << j;
    ++checked;
  }
  EXPECT_GE(checked, 1) << "every neuron saturated: the invariant checked nothing";
}

TEST_P(RnnEveryKernel, LargerRnnMatchesDoubleReference) {
  // Batch 19, 37 inputs, 45 neurons, 6 steps: no size is a tile multiple.
  SplitMix64 rng(4242);
  const int B = 19, I = 37, H = 45, T = 6;
  const Matrix Wx = random_normal(I, H, rng), Wy = random_normal(H, H, rng), b = random_normal(1, H, rng);
  Matrix scaled_wx = Wx, scaled_wy = Wy;  // scale by 1/sqrt(fan-in) so tanh does not saturate everywhere
  for (int i = 0; i < I; ++i)
    for (int j = 0; j < H; ++j) scaled_wx(i, j) = Wx(i, j) / std::sqrt(float(I));
  for (int i = 0; i < H; ++i)
    for (int j = 0; j < H; ++j) scaled_wy(i, j) = Wy(i, j) / std::sqrt(float(H));
  Matrix y_prev(0, H);
  StepReference ref_prev;
  for (int t = 0; t < T; ++t) {
    const Matrix X = random_uniform(B, I, rng, -2, 2);
    Matrix Y(B, H);
    rnn_cell(GetParam(), X, scaled_wx, y_prev, scaled_wy, b, Y);
    const StepReference ref =
        reference_step(X, scaled_wx, scaled_wy, b, t == 0 ? nullptr : &y_prev, t == 0 ? nullptr : &ref_prev);
    expect_within(Y, ref, "step " + std::to_string(t));
    y_prev = Y;
    ref_prev = ref;
  }
}

TEST(RnnCell, ShapeErrorsNameTheOperands) {
  Matrix X(4, 3), Wx(3, 5), Wy(5, 5), b(1, 5), Y(4, 5), Yprev(4, 5);
  EXPECT_NO_THROW(rnn_cell(Kernel::naive, X, Wx, Yprev, Wy, b, Y));
  // In place is refused: Y = X·Wx would overwrite Yprev before Yprev·Wy reads it.
  EXPECT_THROW(rnn_cell(Kernel::naive, X, Wx, Y, Wy, b, Y), std::invalid_argument);
  auto message = [&](ConstMatrixView x, ConstMatrixView wx, ConstMatrixView yp, ConstMatrixView wy, ConstMatrixView bb,
                     MatrixView y) {
    try {
      rnn_cell(Kernel::naive, x, wx, yp, wy, bb, y);
    } catch (const shape_error& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  Matrix X_bad(4, 4), b_bad(1, 4), Wy_bad(4, 5), Y_bad(3, 5);
  EXPECT_NE(message(X_bad, Wx, Y, Wy, b, Y).find("X is 4x4"), std::string::npos);
  EXPECT_NE(message(X, Wx, Y, Wy, b_bad, Y).find("b is 1x4"), std::string::npos);
  EXPECT_NE(message(X, Wx, Y, Wy_bad, b, Y).find("Wy is 4x5"), std::string::npos);
  EXPECT_NE(message(X, Wx, ConstMatrixView(), Wy, b, Y_bad).find("Y is 3x5"), std::string::npos);
}

// ---- the general layer: RnnForward ------------------------------------------------

// One RNN problem for RnnForward, built from a seed.
struct ForwardCase {
  int B, I, H, T;
  Activation activation;
  bool torch_layout;  // weights given as torch's weight_ih / weight_hh / two biases
  bool with_h0;
};

std::string describe(const ForwardCase& c) {
  return "B=" + std::to_string(c.B) + " I=" + std::to_string(c.I) + " H=" + std::to_string(c.H) +
         " T=" + std::to_string(c.T) + " " + std::string(activation_name(c.activation)) +
         (c.torch_layout ? " torch" : " gemmlab") + (c.with_h0 ? " h0" : "");
}

struct ForwardData {
  Matrix Wx, Wy;                      // gemmlab layout, as the reference uses them
  std::vector<double> b;              // the exact bias (torch: b_ih + b_hh in double)
  std::vector<double> bias_rounding;  // |error| of the bias the code uses (torch: one float addition)
  RnnWeights weights;                 // as handed to RnnForward
  Matrix x_all, h0;
};

// Random weights scaled so that the recurrence is contractive: every column
// of |Wy| sums to at most 0.9, so an error in h_{t-1} shrinks through Wy, and
// 50 steps neither blow up the bound nor saturate every neuron.
ForwardData make_data(const ForwardCase& c, std::uint64_t seed) {
  SplitMix64 rng(seed);
  ForwardData d;
  Matrix wx = random_uniform(c.I, c.H, rng, -1, 1), wy = random_uniform(c.H, c.H, rng, -1, 1);
  for (int i = 0; i < c.I; ++i)
    for (int j = 0; j < c.H; ++j) wx(i, j) *= float(1.5 / std::sqrt(double(c.I)));
  for (int j = 0; j < c.H; ++j) {
    double column = 0.0;
    for (int i = 0; i < c.H; ++i) column += std::fabs(wy(i, j));
    const float scale = column > 0.9 ? float(0.9 / column) : 1.0f;
    for (int i = 0; i < c.H; ++i) wy(i, j) *= scale;
  }
  const Matrix b1 = random_uniform(1, c.H, rng, -0.5, 0.5), b2 = random_uniform(1, c.H, rng, -0.5, 0.5);
  d.Wx = wx;
  d.Wy = wy;
  d.b.resize(c.H);
  d.bias_rounding.assign(c.H, 0.0);
  if (c.torch_layout) {
    Matrix weight_ih(c.H, c.I), weight_hh(c.H, c.H);
    for (int i = 0; i < c.I; ++i)
      for (int j = 0; j < c.H; ++j) weight_ih(j, i) = wx(i, j);
    for (int i = 0; i < c.H; ++i)
      for (int j = 0; j < c.H; ++j) weight_hh(j, i) = wy(i, j);
    d.weights = weights_from_torch(weight_ih, weight_hh, b1, b2);
    for (int j = 0; j < c.H; ++j) {
      d.b[j] = double(b1(0, j)) + double(b2(0, j));
      d.bias_rounding[j] = unit_roundoff * std::fabs(d.b[j]);
    }
  } else {
    d.weights = weights_from_gemmlab(wx, wy, b1);
    for (int j = 0; j < c.H; ++j) d.b[j] = b1(0, j);
  }
  d.x_all = random_uniform(c.T * c.B, c.I, rng, -1, 1);
  if (c.with_h0) d.h0 = random_uniform(c.B, c.H, rng, -1, 1);
  return d;
}

// The double-precision forward pass from the same float data, and for every
// output a bound on the float computation's error: the pre-activation bound,
// the bias's own rounding (torch layout), the error carried from h_{t-1}
// through |Wy|, and the activation's error (tanh: tanh_max_abs_error; relu is
// exact). Both activations are 1-Lipschitz. `got` is the float result: its
// h_{t-1} is what the float code multiplied, so it enters the GEMM bound.
//
// bf16 (RnnForward with Precision::bf16): the GEMMs multiply x_t, h_{t-1},
// Wx and Wy rounded to bf16, each with relative error at most v = 2^-8.
// Against the exact RNN of the float inputs, one pre-activation then errs by
//   * the float sums' bound over the ROUNDED operands (exact products);
//   * the rounding of the inputs: for a product x w, |x̄ w̄ - x w| <=
//     (2v + v^2)|x w| (gemmlab/numerics.hpp), over Σ|x||Wx| and over
//     Σ|h_{t-1}||Wy| with the kernel's own h_{t-1};
//   * the error carried in: the kernel's h_{t-1} is within bound_{t-1} of the
//     exact one, and ĥ w̄ - h w = ĥ w ((1 + δ)(1 + ε) - 1) + (ĥ - h) w, so the
//     carried term is Σ bound_{t-1} |Wy| as for float;
// and the activation passes it on without growing it (1-Lipschitz).
struct ForwardReference {
  std::vector<double> y, bound;  // (T·B) x H
};

ForwardReference reference_forward(const ForwardCase& c, const ForwardData& d, ConstMatrixView got,
                                   Precision precision = Precision::f32) {
  const int B = c.B, I = c.I, H = c.H;
  ForwardReference r{std::vector<double>(std::size_t(c.T) * B * H), std::vector<double>(std::size_t(c.T) * B * H)};
  const double act_error = c.activation == Activation::tanh ? tanh_max_abs_error : 0.0;
  const bool bf16_inputs = precision == Precision::bf16;
  const double v = bf16_inputs ? bf16_unit_roundoff : 0.0, rounding = 2.0 * v + v * v;
  const auto as_used = [&](float x) { return bf16_inputs ? double(to_float(to_bf16(x))) : double(x); };
  for (int t = 0; t < c.T; ++t)
    for (int i = 0; i < B; ++i)
      for (int j = 0; j < H; ++j) {
        const int row = t * B + i;
        double pre = d.b[j], x_sum = 0.0, h_sum = 0.0, carried = 0.0;
        double x_sum_used = 0.0, h_sum_used = 0.0;  // over the operands the GEMMs multiply
        for (int p = 0; p < I; ++p) {
          pre += double(d.x_all(row, p)) * d.Wx(p, j);
          x_sum += std::fabs(double(d.x_all(row, p)) * d.Wx(p, j));
          x_sum_used += std::fabs(as_used(d.x_all(row, p)) * as_used(d.Wx(p, j)));
        }
        const bool recurrent = t > 0 || c.with_h0;
        for (int p = 0; p < H && recurrent; ++p) {
          if (t == 0) {  // h0 is data: exact
            pre += double(d.h0(i, p)) * d.Wy(p, j);
            h_sum += std::fabs(double(d.h0(i, p)) * d.Wy(p, j));
            h_sum_used += std::fabs(as_used(d.h0(i, p)) * as_used(d.Wy(p, j)));
          } else {
            const std::size_t prev = std::size_t(row - B) * H + p;
            pre += r.y[prev] * d.Wy(p, j);
            h_sum += std::fabs(double(got(row - B, p)) * d.Wy(p, j));
            h_sum_used += std::fabs(as_used(got(row - B, p)) * as_used(d.Wy(p, j)));
            carried += r.bound[prev] * std::fabs(double(d.Wy(p, j)));
          }
        }
        const std::size_t at = std::size_t(row) * H + j;
        r.y[at] = c.activation == Activation::tanh ? std::tanh(pre) : (pre > 0 ? pre : 0.0);
        r.bound[at] = preactivation_bound(I, H, x_sum_used, h_sum_used, float(d.b[j]), recurrent) +
                      rounding * (x_sum + h_sum) + d.bias_rounding[j] + carried + act_error +
                      1e-12 * (x_sum + h_sum + 1.0);  // the last term: the double loop's own error
      }
  return r;
}

void expect_forward_within(const ForwardCase& c, ConstMatrixView got, const ForwardReference& ref,
                           const std::string& what) {
  int failures = 0;
  for (int row = 0; row < got.rows(); ++row)
    for (int j = 0; j < got.cols(); ++j) {
      const std::size_t at = std::size_t(row) * c.H + j;
      const double err = std::fabs(double(got(row, j)) - ref.y[at]);
      if (!(err <= ref.bound[at]) && failures++ < 5)
        ADD_FAILURE() << what << ": step " << row / c.B << " row " << row % c.B << " neuron " << j << ": got "
                      << got(row, j) << ", exact " << ref.y[at] << " (|err| " << err << " > bound " << ref.bound[at]
                      << ")";
    }
  EXPECT_EQ(failures, 0) << what;
}

TEST_P(RnnEveryKernel, ForwardMatchesDoubleReferenceBothLayoutsBothActivationsUpTo50Steps) {
  // Sizes: all ones; the seed's; tile edges everywhere; T = 50 twice; many
  // rows for the projection GEMM (T·B = 297).
  const int shapes[][4] = {{1, 1, 1, 1},    {4, 3, 5, 2},    {2, 3, 5, 50},
                           {19, 37, 45, 6}, {3, 16, 70, 50}, {9, 20, 33, 33}};
  std::uint64_t seed = 100;
  for (const auto& s : shapes)
    for (Activation act : {Activation::tanh, Activation::relu})
      for (bool torch : {false, true}) {
        const ForwardCase c{s[0], s[1], s[2], s[3], act, torch, (seed % 3) == 0};
        const ForwardData d = make_data(c, ++seed);
        RnnForward forward(GetParam(), d.weights, act, c.B, c.T);
        forward.run(d.x_all, d.h0);
        ASSERT_EQ(forward.outputs().rows(), c.T * c.B);
        ASSERT_EQ(forward.outputs().cols(), c.H);
        const Matrix got = [&] {
          Matrix m(c.T * c.B, c.H);
          copy(forward.outputs(), m);
          return m;
        }();
        expect_forward_within(c, got, reference_forward(c, d, got), describe(c));
      }
}

TEST_P(RnnEveryKernel, ForwardWithH0AndRelu) {
  // Explicitly: an initial state, relu, and a negative bias, so some outputs
  // are exactly 0 and others positive.
  const ForwardCase c{5, 4, 9, 7, Activation::relu, false, true};
  const ForwardData d = make_data(c, 77);
  RnnForward forward(GetParam(), d.weights, c.activation, c.B, c.T);
  forward.run(d.x_all, d.h0);
  Matrix got(c.T * c.B, c.H);
  copy(forward.outputs(), got);
  expect_forward_within(c, got, reference_forward(c, d, got), describe(c));
  int zeros = 0, positive = 0;
  for (int i = 0; i < got.rows(); ++i)
    for (int j = 0; j < got.cols(); ++j) (got(i, j) == 0.0f ? zeros : positive) += 1;
  EXPECT_GT(zeros, 0);
  EXPECT_GT(positive, 0);
  // Without h0, step 0 differs (h0 = 0): the h0 argument is really used.
  RnnForward no_h0(GetParam(), d.weights, c.activation, c.B, c.T);
  no_h0.run(d.x_all);
  double step0_difference = 0.0;
  for (int i = 0; i < c.B; ++i)
    for (int j = 0; j < c.H; ++j) step0_difference += std::fabs(no_h0.output(0)(i, j) - forward.output(0)(i, j));
  EXPECT_GT(step0_difference, 0.0);
}

TEST_P(RnnEveryKernel, SeedThroughRnnForwardMatchesTheReference) {
  const SeedExample s = make_seed_example();
  Matrix x_all(8, 3);
  copy(s.X0, x_all.block(0, 0, 4, 3));
  copy(s.X1, x_all.block(4, 0, 4, 3));
  RnnForward forward(GetParam(), weights_from_gemmlab(s.Wx, s.Wy, s.b), Activation::tanh, 4, 2);
  forward.run(x_all);
  Matrix y0(4, 5), y1(4, 5);
  copy(forward.output(0), y0);
  copy(forward.output(1), y1);
  const StepReference r0 = reference_step(s.X0, s.Wx, s.Wy, s.b, nullptr, nullptr);
  const StepReference r1 = reference_step(s.X1, s.Wx, s.Wy, s.b, &y0, &r0);
  expect_within(y0, r0, "Y0 via RnnForward");
  expect_within(y1, r1, "Y1 via RnnForward");
}

TEST(RnnForward, RunIsRepeatableAndTheViewsAgree) {
  const ForwardCase c{3, 4, 6, 5, Activation::tanh, false, false};
  const ForwardData d = make_data(c, 5);
  RnnForward forward(Kernel::simd, d.weights, c.activation, c.B, c.T);
  forward.run(d.x_all);
  Matrix first(c.T * c.B, c.H);
  copy(forward.outputs(), first);
  // Another input in between, then the first again: nothing is left over.
  const ForwardData other = make_data(c, 6);
  forward.run(other.x_all);
  forward.run(d.x_all);
  for (int i = 0; i < first.rows(); ++i)
    for (int j = 0; j < first.cols(); ++j) ASSERT_EQ(forward.outputs()(i, j), first(i, j));
  for (int t = 0; t < c.T; ++t)
    for (int i = 0; i < c.B; ++i)
      for (int j = 0; j < c.H; ++j) ASSERT_EQ(forward.output(t)(i, j), first(t * c.B + i, j));
  for (int i = 0; i < c.B; ++i)
    for (int j = 0; j < c.H; ++j) EXPECT_EQ(forward.final_state()(i, j), first((c.T - 1) * c.B + i, j));
  // rnn_forward (allocate, run once) gives the same numbers.
  const Matrix once = rnn_forward(Kernel::simd, d.weights, c.activation, d.x_all, c.B);
  for (int i = 0; i < first.rows(); ++i)
    for (int j = 0; j < first.cols(); ++j) ASSERT_EQ(once(i, j), first(i, j));
  EXPECT_THROW(forward.output(c.T), std::out_of_range);
  EXPECT_THROW(forward.output(-1), std::out_of_range);
}

TEST(RnnWeights, TorchLayoutIsTransposedAndBiasesAreSummed) {
  const Matrix weight_ih = Matrix::from_rows({{1, 2, 3}, {4, 5, 6}});  // H = 2, I = 3
  const Matrix weight_hh = Matrix::from_rows({{7, 8}, {9, 10}});
  const Matrix bias_ih = Matrix::from_rows({{0.5f, -1}}), bias_hh = Matrix::from_rows({{0.25f, 3}});
  const RnnWeights w = weights_from_torch(weight_ih, weight_hh, bias_ih, bias_hh);
  ASSERT_EQ(w.inputs(), 3);
  ASSERT_EQ(w.hidden(), 2);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j) EXPECT_EQ(w.Wx(i, j), weight_ih(j, i));
  EXPECT_EQ(w.Wy(0, 1), 9.0f);
  EXPECT_EQ(w.Wy(1, 0), 8.0f);
  EXPECT_EQ(w.b(0, 0), 0.75f);
  EXPECT_EQ(w.b(0, 1), 2.0f);
  const RnnWeights no_bias = weights_from_torch(weight_ih, weight_hh, ConstMatrixView(), ConstMatrixView());
  EXPECT_EQ(no_bias.b(0, 1), 0.0f);
}

std::string shape_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const shape_error& e) {
    return e.what();
  }
  return "no shape_error";
}

TEST(RnnWeights, ShapeErrorsNameBothShapes) {
  const Matrix wx(3, 5), wy(5, 5), b(1, 5), wy_bad(4, 5), b_bad(1, 4);
  EXPECT_NE(shape_message([&] { weights_from_gemmlab(wx, wy_bad, b); }).find("Wy is 4x5 but must be 5x5"),
            std::string::npos);
  EXPECT_NE(shape_message([&] { weights_from_gemmlab(wx, wy, b_bad); }).find("b is 1x4"), std::string::npos);
  const Matrix ih(5, 3), hh_bad(3, 3);
  const std::string torch = shape_message([&] { weights_from_torch(ih, hh_bad, b, b); });
  EXPECT_NE(torch.find("weight_hh is 3x3 but must be 5x5"), std::string::npos) << torch;
  EXPECT_NE(torch.find("weight_ih is 5x3"), std::string::npos) << torch;
}

TEST(RnnForward, RunRejectsInputsOfTheWrongShape) {
  const ForwardCase c{2, 3, 4, 3, Activation::tanh, false, false};
  const ForwardData d = make_data(c, 9);
  RnnForward forward(Kernel::naive, d.weights, c.activation, c.B, c.T);
  const Matrix x_short(5, 3), x_wide(6, 4), h0_bad(3, 4);
  EXPECT_NE(shape_message([&] { forward.run(x_short); }).find("x_all is 5x3 but must be 6x3"), std::string::npos);
  EXPECT_NE(shape_message([&] { forward.run(x_wide); }).find("x_all is 6x4"), std::string::npos);
  EXPECT_NE(shape_message([&] { forward.run(d.x_all, h0_bad); }).find("h0 is 3x4 but must be 2x4"), std::string::npos);
  EXPECT_THROW(RnnForward(Kernel::naive, d.weights, c.activation, 0, 3), std::invalid_argument);
  EXPECT_THROW(RnnForward(Kernel::naive, d.weights, c.activation, 2, 0), std::invalid_argument);
  EXPECT_THROW(rnn_forward(Kernel::naive, d.weights, c.activation, x_short, 2), shape_error);
}

TEST(Activation, NamesRoundTrip) {
  EXPECT_EQ(activation_from_name("tanh"), Activation::tanh);
  EXPECT_EQ(activation_from_name("relu"), Activation::relu);
  EXPECT_EQ(activation_name(Activation::relu), "relu");
  EXPECT_EQ(activation_name(Activation::tanh), "tanh");
  EXPECT_THROW(activation_from_name("sigmoid"), std::invalid_argument);
}

// An integer cast to Activation is neither tanh nor relu: every entry point refuses it.
TEST(Activation, AValueOutsideTheEnumIsAnErrorNamingIt) {
  const auto bogus = static_cast<Activation>(7);
  auto message = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no std::invalid_argument");
  };
  const ForwardCase c{2, 3, 4, 2, Activation::tanh, false, false};
  const ForwardData d = make_data(c, 8);
  for (const std::string& m : {message([&] { (void)activation_name(bogus); }),
                               message([&] { RnnForward(Kernel::naive, d.weights, bogus, c.B, c.T); }),
                               message([&] { (void)rnn_forward(Kernel::simd, d.weights, bogus, d.x_all, c.B); })})
    EXPECT_NE(m.find("invalid Activation value 7 (valid: tanh = 0, relu = 1)"), std::string::npos) << m;
}

// rnn.hpp: one RnnForward per thread. Two objects running at once in two
// threads give the same bits as each running alone (and, under a thread
// sanitizer, share no data).
TEST(RnnForward, SeparateObjectsRunConcurrently) {
  const ForwardCase c{7, 12, 33, 20, Activation::tanh, false, true};
  const ForwardData d1 = make_data(c, 21), d2 = make_data(c, 22);
  auto alone = [&](const ForwardData& d) {
    RnnForward f(Kernel::simd, d.weights, c.activation, c.B, c.T);
    f.run(d.x_all, d.h0);
    Matrix out(c.T * c.B, c.H);
    copy(f.outputs(), out);
    return out;
  };
  const Matrix want1 = alone(d1), want2 = alone(d2);
  RnnForward f1(Kernel::simd, d1.weights, c.activation, c.B, c.T), f2(Kernel::simd, d2.weights, c.activation, c.B, c.T);
  for (int round = 0; round < 20; ++round) {
    std::thread other([&] { f2.run(d2.x_all, d2.h0); });
    f1.run(d1.x_all, d1.h0);
    other.join();
    for (int i = 0; i < want1.rows(); ++i)
      for (int j = 0; j < want1.cols(); ++j) {
        ASSERT_EQ(f1.outputs()(i, j), want1(i, j)) << "round " << round;
        ASSERT_EQ(f2.outputs()(i, j), want2(i, j)) << "round " << round;
      }
  }
}

// The bias is added from a tile of whole rows that is reused down a large
// batch; batches that end mid-tile must get the same bias on every row.
TEST_P(RnnEveryKernel, LargeBatchesSpanSeveralBiasTiles) {
  for (const auto& s :
       {std::array<int, 4>{300, 3, 16, 2}, std::array<int, 4>{1100, 2, 5, 2}, std::array<int, 4>{513, 4, 9, 3}})
    for (Activation act : {Activation::tanh, Activation::relu}) {
      const ForwardCase c{s[0], s[1], s[2], s[3], act, false, true};
      const ForwardData d = make_data(c, 300 + s[0]);
      RnnForward forward(GetParam(), d.weights, act, c.B, c.T);
      forward.run(d.x_all, d.h0);
      Matrix got(c.T * c.B, c.H);
      copy(forward.outputs(), got);
      expect_forward_within(c, got, reference_forward(c, d, got), describe(c));
    }
}

// ---- the recurrence on several threads ------------------------------------------------

// run() on 2 and 3 threads gives the same bits as on 1. Why it can: the
// threads split the batch rows, which are independent sequences, so every
// element of every step is still one product row of the same kernel: a
// chain of K fused multiply-adds in ascending k, then one addition of the
// input projection (alpha = beta = 1), whatever tile height or path the
// slice's smaller M selects (the small path and the packed micro-kernels
// round alpha * acc + beta * C the same way for alpha = beta = 1, and K = H
// here is below every KC), followed by the same elementwise activation.
// The shape is above the split's thresholds (2 * 160^3 flops, 8 rows a
// slice): 2 * 20 * 41 * 67 * (32 + 67) = 10.9 Mflop, 41 rows in slices of
// 20/21 and 13/14/14. A wrong split (a row skipped, overlapped or taken from
// another row's state) changes the bits.
TEST_P(RnnEveryKernel, ThreadedRunGivesTheBitsOfOneThread) {
  for (const bool with_h0 : {false, true})
    for (const Precision precision : {Precision::f32, Precision::bf16}) {
      const Kernel k = precision == Precision::f32 ? GetParam() : Kernel::simd;
      if (precision == Precision::bf16 && GetParam() != Kernel::simd) continue;  // the bf16 kernels: once, via simd
      const ForwardCase c{41, 32, 67, 20, Activation::tanh, false, with_h0};
      const ForwardData d = make_data(c, 77);
      RnnForward one(k, d.weights, c.activation, c.B, c.T, precision, 1);
      one.run(d.x_all, d.h0);
      for (const int threads : {2, 3}) {
        RnnForward many(k, d.weights, c.activation, c.B, c.T, precision, threads);
        EXPECT_EQ(many.threads(), threads);
        many.run(d.x_all, d.h0);
        many.run(d.x_all, d.h0);  // a second run gives the same again
        for (int i = 0; i < c.T * c.B; ++i)
          for (int j = 0; j < c.H; ++j)
            ASSERT_EQ(many.outputs()(i, j), one.outputs()(i, j))
                << threads << " threads, " << precision_name(precision) << ", " << describe(c) << ", at (" << i << ", "
                << j << ")";
      }
    }
}

// Precision::f32 packs Wx and Wy once, in the constructor: two PackedMatrix
// constructions, one of them Wy's, and no block of B packed by a call;
// after that no run() packs a matrix or a block of B again, whatever the
// steps, runs and threads. float_pack_counts counts PackedMatrix
// constructions and the blocks of B the five loops (and the small path's
// copy of a transposed B) pack during calls, so a layer that packed Wy
// per step, or called sgemm with the plain Wy on a packed kernel, would
// raise one of the two by at least T - 1 per run.
TEST_P(RnnEveryKernel, FloatWeightsArePackedOnceNotPerStep) {
  const ForwardCase c{64, 64, 128, 10, Activation::tanh, false, true};  // 31 Mflop: 2 threads split it
  const ForwardData d = make_data(c, 5);
  for (const int threads : {1, 2}) {
    const detail::FloatPackCounts before = detail::float_pack_counts();
    RnnForward forward(GetParam(), d.weights, c.activation, c.B, c.T, Precision::f32, threads);
    const detail::FloatPackCounts built = detail::float_pack_counts();
    EXPECT_EQ(built.packed_matrices - before.packed_matrices, 2u) << "Wx and Wy, once each";
    EXPECT_EQ(built.b_blocks_in_calls, before.b_blocks_in_calls);
    for (int run = 0; run < 3; ++run) forward.run(d.x_all, run == 1 ? ConstMatrixView() : d.h0.view());
    const detail::FloatPackCounts after = detail::float_pack_counts();
    EXPECT_EQ(after.packed_matrices, built.packed_matrices) << threads << " threads: run() packed a weight matrix";
    EXPECT_EQ(after.b_blocks_in_calls, built.b_blocks_in_calls) << threads << " threads: run() packed a block of B";
  }
  // The counters do count: a PackedMatrix, and a plain product on the packed path, each packs.
  const detail::FloatPackCounts before = detail::float_pack_counts();
  const PackedMatrix one_more(GetParam(), Layout::row_major, Transpose::no_trans, c.H, c.H, d.Wy.data(), d.Wy.ld());
  EXPECT_EQ(detail::float_pack_counts().packed_matrices, before.packed_matrices + 1);
  if (!kernel_micro_kernel(GetParam()).empty()) {
    Matrix out(400, c.H);
    const Matrix a(400, 600), b(600, c.H);  // K = 600: past the small path's shapes
    sgemm(GetParam(), 400, c.H, 600, 1.0f, a.data(), a.ld(), b.data(), b.ld(), 0.0f, out.data(), out.ld());
    EXPECT_EQ(last_gemm_call().path, std::string_view("packed"));
    EXPECT_GT(detail::float_pack_counts().b_blocks_in_calls, before.b_blocks_in_calls);
  }
}

// The seed's size on simd-avx512 takes the specialised forward pass
// (src/rnn/tiny_rnn.hpp), which must give the bits of the general path: the
// same products and passes composed here from the public calls (sgemm on
// the padded weights, then bias + activation as the pass computes them).
// Every batch size it takes (1..7), H up to its 16, K across the small
// path's tile, with and without h0, both activations, 1 to 5 steps.
TEST(RnnForward, TheTinyPathGivesTheBitsOfTheGeneralOne) {
  GEMMLAB_SKIP_IF_UNAVAILABLE(Kernel::simd_avx512);
  const Kernel k = Kernel::simd_avx512;
  int cases = 0;
  for (const int B : {1, 2, 4, 7})
    for (const int H : {1, 5, 16})
      for (const int I : {1, 3, 128})
        for (const int T : {1, 2, 5})
          for (const bool with_h0 : {false, true}) {
            const Activation act = (cases++ % 2 == 0) ? Activation::tanh : Activation::relu;
            const ForwardCase c{B, I, H, T, act, false, with_h0};
            const ForwardData d = make_data(c, 900 + static_cast<std::uint64_t>(cases));
            // The general path by hand: H padded to 16 zero columns, as RnnForward pads it.
            constexpr int P = 16;
            Matrix wx(I, P), wy(H, P), bias(1, P), ref(T * B, P);
            copy(d.weights.Wx, wx.block(0, 0, I, H));
            copy(d.weights.Wy, wy.block(0, 0, H, H));
            copy(d.weights.b, bias.block(0, 0, 1, H));
            sgemm(k, T * B, P, I, 1.0f, d.x_all.data(), d.x_all.ld(), wx.data(), wx.ld(), 0.0f, ref.data(), ref.ld());
            for (int t = 0; t < T; ++t) {
              float* h_t = ref.data() + static_cast<std::size_t>(t) * B * ref.ld();
              if (t > 0 || with_h0) {
                const float* h_prev = t > 0 ? h_t - static_cast<std::size_t>(B) * ref.ld() : d.h0.data();
                const int ld_prev = t > 0 ? ref.ld() : d.h0.ld();
                sgemm(k, B, P, H, 1.0f, h_prev, ld_prev, wy.data(), wy.ld(), 1.0f, h_t, ref.ld());
              }
              for (int i = 0; i < B; ++i) {
                std::span<float> row(h_t + static_cast<std::size_t>(i) * ref.ld(), P);
                for (int j = 0; j < P; ++j) row[j] += bias(0, j);
                if (act == Activation::tanh)
                  tanh_in_place(row);
                else
                  for (float& v : row) v = v < 0.0f ? 0.0f : v;
              }
            }
            // A product of a known path first: the tiny path calls no sgemm, so it stays.
            Matrix big_a(400, 600), big_b(600, 64), big_c(400, 64);
            sgemm(k, 400, 64, 600, 1.0f, big_a.data(), big_a.ld(), big_b.data(), big_b.ld(), 0.0f, big_c.data(),
                  big_c.ld());
            ASSERT_EQ(std::string(last_gemm_call().path), "packed");
            RnnForward forward(k, d.weights, act, B, T);
            forward.run(d.x_all, with_h0 ? d.h0.view() : ConstMatrixView());
            EXPECT_EQ(std::string(last_gemm_call().path), "packed") << describe(c) << ": the general path ran";
            int differ = 0;
            for (int r = 0; r < T * B; ++r)
              for (int j = 0; j < H; ++j)
                if (std::bit_cast<std::uint32_t>(forward.outputs()(r, j)) != std::bit_cast<std::uint32_t>(ref(r, j)))
                  ++differ;
            EXPECT_EQ(differ, 0) << describe(c);
          }
}

TEST(RnnForward, AThreadCountOutsideTheRangeIsRefused) {
  const ForwardCase c{4, 3, 5, 2, Activation::tanh, false, false};
  const ForwardData d = make_data(c, 5);
  EXPECT_THROW(RnnForward(Kernel::naive, d.weights, c.activation, c.B, c.T, Precision::f32, -1), std::invalid_argument);
  EXPECT_THROW(RnnForward(Kernel::naive, d.weights, c.activation, c.B, c.T, Precision::f32, max_num_threads + 1),
               std::invalid_argument);
  EXPECT_EQ(RnnForward(Kernel::naive, d.weights, c.activation, c.B, c.T).threads(), 0) << "the library's, by default";
}

// ---- the bf16 RNN (Precision::bf16) ---------------------------------------------------

class RnnBf16Kernel : public ::testing::TestWithParam<Kernel> {
 protected:
  void SetUp() override { GEMMLAB_SKIP_IF_UNAVAILABLE(resolve_kernel(GetParam(), Precision::bf16)); }
};
INSTANTIATE_TEST_SUITE_P(Bf16Kernels, RnnBf16Kernel, ::testing::ValuesIn(all_kernels(Precision::bf16)),
                         testing::param_name);

// Against the exact RNN of the float inputs, under the propagated bound
// of reference_forward (input rounding included), up to 50 steps, both
// layouts, both activations, with and without h0.
TEST_P(RnnBf16Kernel, ForwardMatchesDoubleReferenceUnderTheBf16BoundUpTo50Steps) {
  const int shapes[][4] = {{1, 1, 1, 1}, {4, 3, 5, 2}, {2, 3, 5, 50}, {19, 37, 45, 6}, {3, 16, 70, 50}};
  std::uint64_t seed = 300;
  for (const auto& s : shapes)
    for (Activation act : {Activation::tanh, Activation::relu})
      for (bool torch : {false, true}) {
        const ForwardCase c{s[0], s[1], s[2], s[3], act, torch, (seed % 3) == 0};
        const ForwardData d = make_data(c, ++seed);
        RnnForward forward(GetParam(), d.weights, act, c.B, c.T, Precision::bf16);
        EXPECT_EQ(forward.precision(), Precision::bf16);
        forward.run(d.x_all, d.h0);
        Matrix got(c.T * c.B, c.H);
        copy(forward.outputs(), got);
        expect_forward_within(c, got, reference_forward(c, d, got, Precision::bf16), describe(c) + " bf16");
      }
}

// The rounding really happens: the bf16 RNN differs from the float one by
// more than the float bound allows (so the bf16 path is not secretly float),
// and by no more than its own bound.
TEST_P(RnnBf16Kernel, DiffersFromTheFloatRnnByTheRoundingOfItsInputs) {
  const ForwardCase c{8, 32, 48, 50, Activation::tanh, false, false};
  const ForwardData d = make_data(c, 9);
  RnnForward f32(Kernel::naive, d.weights, c.activation, c.B, c.T);
  RnnForward b16(GetParam(), d.weights, c.activation, c.B, c.T, Precision::bf16);
  f32.run(d.x_all);
  b16.run(d.x_all);
  Matrix got(c.T * c.B, c.H);
  copy(b16.outputs(), got);
  const ForwardReference exact16 = reference_forward(c, d, got, Precision::bf16);
  double worst = 0.0;
  for (int i = 0; i < got.rows(); ++i)
    for (int j = 0; j < got.cols(); ++j) worst = std::max(worst, std::fabs(double(got(i, j)) - f32.outputs()(i, j)));
  EXPECT_GT(worst, 1e-4) << "the bf16 RNN is as close to float as float itself: is it rounding?";
  expect_forward_within(c, got, exact16, "bf16 against exact");
}

TEST(RnnBf16, FloatKernelsAreRefusedAndViceVersa) {
  const ForwardCase c{2, 3, 4, 2, Activation::tanh, false, false};
  const ForwardData d = make_data(c, 1);
  try {
    RnnForward f(Kernel::naive, d.weights, c.activation, c.B, c.T, Precision::bf16);
    ADD_FAILURE() << "a float kernel was accepted for bf16";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "RnnForward: kernel 'naive' does not compute bf16 (a bf16 kernel or simd)");
  }
  try {
    RnnForward f(Kernel::bf16_naive, d.weights, c.activation, c.B, c.T);
    ADD_FAILURE() << "a bf16 kernel was accepted for float";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "RnnForward: kernel 'bf16-naive' does not compute f32 (a float kernel)");
  }
}

// The weights are packed once, in the constructor: run() packs no block of
// B, however many steps and runs (bf16_b_blocks_packed counts every block
// the bf16 driver packs during a call).
TEST_P(RnnBf16Kernel, WeightsArePackedOnceNotPerStep) {
  if (kernel_micro_kernel(resolve_kernel(GetParam(), Precision::bf16)).empty())
    GTEST_SKIP() << kernel_name(GetParam()) << " has no packed panels: it reads the rounded weights in place";
  const ForwardCase c{8, 16, 40, 20, Activation::tanh, false, false};
  const ForwardData d = make_data(c, 4);
  RnnForward forward(GetParam(), d.weights, c.activation, c.B, c.T, Precision::bf16);
  const std::size_t before = detail::bf16_b_blocks_packed();
  forward.run(d.x_all);
  forward.run(d.x_all);
  EXPECT_EQ(detail::bf16_b_blocks_packed(), before) << "run() packed a block of Wx or Wy";
  // The counter does count: a plain sbgemm call packs its B.
  std::vector<float> a(16, 1.0f), b(16, 1.0f), out(16);
  sbgemm(resolve_kernel(GetParam(), Precision::bf16), 4, 4, 4, 1.0f, a.data(), 4, b.data(), 4, 0.0f, out.data(), 4);
  EXPECT_GT(detail::bf16_b_blocks_packed(), before);
}

}  // namespace
}  // namespace gemmlab
