// Matrix, MatrixView and ConstMatrixView: storage, views, shapes and errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "gemmlab/matrix.hpp"
#include "gemmlab/random.hpp"

namespace gemmlab {
namespace {

TEST(Matrix, IsZeroInitialisedRowMajorAndAligned) {
  Matrix m(3, 5);
  EXPECT_EQ(m.rows(), 3);
  EXPECT_EQ(m.cols(), 5);
  EXPECT_EQ(m.ld(), 5);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(m.data()) % 64, 0u);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 5; ++j) EXPECT_EQ(m(i, j), 0.0f);
  m(1, 2) = 7.0f;
  EXPECT_EQ(m.data()[1 * 5 + 2], 7.0f);  // row-major: (i, j) at i*ld + j
}

TEST(Matrix, LeadingDimensionPadsRows) {
  Matrix m(2, 3, 8);
  EXPECT_EQ(m.ld(), 8);
  m(1, 0) = 4.0f;
  EXPECT_EQ(m.data()[8], 4.0f);
  EXPECT_THROW(Matrix(2, 3, 2), std::invalid_argument);
  EXPECT_THROW(Matrix(-1, 3), std::invalid_argument);
  EXPECT_THROW(Matrix(2, -3), std::invalid_argument);
}

// The message names the shape the caller asked for, whichever side is negative.
TEST(Matrix, NegativeShapeMessageNamesTheRequestedShape) {
  auto message = [](int rows, int cols, int ld) {
    try {
      ld > 0 ? Matrix(rows, cols, ld) : Matrix(rows, cols);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  EXPECT_EQ(message(3, -1, 0), "matrix: negative shape 3x-1");
  EXPECT_EQ(message(-2, 4, 0), "matrix: negative shape -2x4");
  EXPECT_EQ(message(3, -1, 8), "matrix: negative shape 3x-1");
  EXPECT_EQ(message(-5, -6, 0), "matrix: negative shape -5x-6");
}

TEST(Matrix, EmptyShapesAreValid) {
  Matrix a(0, 5), b(4, 0), c;
  EXPECT_TRUE(a.empty());
  EXPECT_TRUE(b.empty());
  EXPECT_TRUE(c.empty());
  EXPECT_EQ(a.cols(), 5);
}

TEST(Matrix, FromRowsAndRaggedRows) {
  const Matrix m = Matrix::from_rows({{0, 1, 2}, {3, 4, 5}});
  EXPECT_EQ(m.rows(), 2);
  EXPECT_EQ(m.cols(), 3);
  EXPECT_EQ(m(1, 2), 5.0f);
  try {
    Matrix::from_rows({{1, 2}, {3}});
    FAIL() << "ragged rows must throw";
  } catch (const shape_error& e) {
    EXPECT_NE(std::string(e.what()).find("row 1"), std::string::npos) << e.what();
  }
}

TEST(Matrix, CopyIsDeepAndMoveIsCheap) {
  Matrix a = Matrix::from_rows({{1, 2}, {3, 4}});
  Matrix b = a;
  b(0, 0) = 9;
  EXPECT_EQ(a(0, 0), 1.0f);
  const float* storage = a.data();
  Matrix c = std::move(a);
  EXPECT_EQ(c.data(), storage);
  EXPECT_EQ(c(1, 1), 4.0f);
  b = c;
  EXPECT_EQ(b(0, 0), 1.0f);
  EXPECT_NE(b.data(), c.data());
}

TEST(Matrix, AtChecksBounds) {
  Matrix m(2, 3);
  EXPECT_NO_THROW(m.at(1, 2));
  EXPECT_THROW(m.at(2, 0), std::out_of_range);
  EXPECT_THROW(m.at(0, 3), std::out_of_range);
  EXPECT_THROW(m.at(-1, 0), std::out_of_range);
}

TEST(MatrixView, BlockAddressesASubMatrixWithTheParentsLd) {
  Matrix m(4, 6);
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 6; ++j) m(i, j) = static_cast<float>(10 * i + j);
  MatrixView v = m.block(1, 2, 2, 3);
  EXPECT_EQ(v.rows(), 2);
  EXPECT_EQ(v.cols(), 3);
  EXPECT_EQ(v.ld(), 6);
  EXPECT_EQ(v(0, 0), 12.0f);
  EXPECT_EQ(v(1, 2), 24.0f);
  v(1, 1) = -1.0f;  // writes through to the parent
  EXPECT_EQ(m(2, 3), -1.0f);
  // A block of a block.
  EXPECT_EQ(v.block(1, 1, 1, 2)(0, 1), 24.0f);
  EXPECT_THROW(m.block(3, 0, 2, 1), std::out_of_range);
  EXPECT_THROW(m.block(0, 5, 1, 2), std::out_of_range);
  EXPECT_THROW(m.block(-1, 0, 1, 1), std::out_of_range);
  EXPECT_NO_THROW(m.block(4, 6, 0, 0));
}

TEST(MatrixView, MutableConvertsToConstAndRawViewsAreChecked) {
  Matrix m(2, 2);
  MatrixView mv = m;
  ConstMatrixView cv = mv;  // mutable -> const is allowed
  EXPECT_EQ(cv.data(), m.data());
  static_assert(!std::is_convertible_v<ConstMatrixView, MatrixView>, "const must not become mutable");
  float storage[12] = {};
  EXPECT_NO_THROW(MatrixView(storage, 3, 3, 4));
  EXPECT_THROW(MatrixView(storage, 3, 4, 3), std::invalid_argument);   // ld < cols
  EXPECT_THROW(MatrixView(nullptr, 3, 4, 4), std::invalid_argument);   // null data
  EXPECT_THROW(MatrixView(storage, -1, 4, 4), std::invalid_argument);  // negative rows
}

TEST(MatrixCopy, CopiesBetweenViewsAndChecksShapes) {
  Matrix a = Matrix::from_rows({{1, 2, 3}, {4, 5, 6}});
  Matrix big(4, 5);
  copy(a, big.block(1, 1, 2, 3));
  EXPECT_EQ(big(2, 3), 6.0f);
  EXPECT_EQ(big(0, 0), 0.0f);
  try {
    copy(a, big.block(0, 0, 3, 2));
    FAIL();
  } catch (const shape_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("2x3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("3x2"), std::string::npos) << msg;
  }
}

TEST(Random, SplitMix64MatchesItsPublishedSequence) {
  // The first outputs of splitmix64 seeded with 0 (Vigna's reference code,
  // the same constants as in Steele, Lea & Flood 2014).
  SplitMix64 rng(0);
  EXPECT_EQ(rng.next(), 0xE220A8397B1DCDAFull);
  EXPECT_EQ(rng.next(), 0x6E789E6AA1B965F4ull);
  EXPECT_EQ(rng.next(), 0x06C45D188009454Full);
}

TEST(Random, NormalSamplesHaveMeanZeroAndVarianceOne) {
  SplitMix64 rng(123);
  const int n = 200000;
  double sum = 0, sum_sq = 0;
  for (int i = 0; i < n; ++i) {
    const double x = rng.normal();
    sum += x;
    sum_sq += x * x;
  }
  const double mean = sum / n, var = sum_sq / n - mean * mean;
  // Standard errors: mean 1/sqrt(n) = 0.0022, variance sqrt(2/n) = 0.0032; allow 5 of them.
  EXPECT_NEAR(mean, 0.0, 5 * 0.0022);
  EXPECT_NEAR(var, 1.0, 5 * 0.0032);
}

}  // namespace
}  // namespace gemmlab
