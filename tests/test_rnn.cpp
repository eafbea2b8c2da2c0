// The RNN: the seed's two steps against a double-precision reference, the
// seed's built-in invariant, and a larger RNN with every kernel.
#include <gtest/gtest.h>

#include <cmath>

#include "gemmlab/numerics.hpp"
#include "gemmlab/rnn.hpp"
#include "test_util.hpp"

namespace gemmlab {
namespace {

// A double-precision RNN step from the same float inputs, with a first-order
// error bound for the float computation: the GEMM bound on the pre-activation
// (K = I + H terms plus the bias), the error carried in from the previous step
// through |Wy|, and tanh's own error; tanh is 1-Lipschitz so it does not grow
// the pre-activation error.
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
      double pre = b(0, j), abs_sum = std::fabs(b(0, j)), carried = 0.0;
      int terms = I + 1;
      for (int p = 0; p < I; ++p) {
        pre += double(X(i, p)) * Wx(p, j);
        abs_sum += std::fabs(double(X(i, p)) * Wx(p, j));
      }
      if (prev != nullptr) {
        terms += H;
        for (int p = 0; p < H; ++p) {
          // The exact recurrence uses the exact previous state; the float code
          // used its own Y_prev, which is within prev->bound of it.
          pre += prev->y[std::size_t(i) * H + p] * Wy(p, j);
          abs_sum += std::fabs(double((*Yprev_float)(i, p)) * Wy(p, j));
          carried += prev->bound[std::size_t(i) * H + p] * std::fabs(double(Wy(p, j)));
        }
      }
      r.y[std::size_t(i) * H + j] = std::tanh(pre);
      r.bound[std::size_t(i) * H + j] = gemm_error_bound(terms, abs_sum) + carried + tanh_max_abs_error;
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
    const StepReference ref = reference_step(X, scaled_wx, scaled_wy, b, t == 0 ? nullptr : &y_prev,
                                             t == 0 ? nullptr : &ref_prev);
    expect_within(Y, ref, "step " + std::to_string(t));
    y_prev = Y;
    ref_prev = ref;
  }
}

TEST(RnnCell, ShapeErrorsNameTheOperands) {
  Matrix X(4, 3), Wx(3, 5), Wy(5, 5), b(1, 5), Y(4, 5);
  EXPECT_NO_THROW(rnn_cell(Kernel::naive, X, Wx, Y, Wy, b, Y));
  auto message = [&](ConstMatrixView x, ConstMatrixView wx, ConstMatrixView yp, ConstMatrixView wy,
                     ConstMatrixView bb, MatrixView y) {
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

}  // namespace
}  // namespace gemmlab
