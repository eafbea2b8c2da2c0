// The basic RNN cell and the seed's two-step forward, built on sgemm.
#include "gemmlab/rnn.hpp"

#include <cmath>

#include "gemmlab/random.hpp"

namespace gemmlab {
namespace {

std::string shape_of(ConstMatrixView m) { return shape_string(m.rows(), m.cols()); }

void require_shape(bool ok, const std::string& message) {
  if (!ok) throw shape_error("rnn_cell: " + message);
}

}  // namespace

void rnn_cell(Kernel k, ConstMatrixView X, ConstMatrixView Wx, ConstMatrixView Yprev, ConstMatrixView Wy,
              ConstMatrixView b, MatrixView Y) {
  const int batch = X.rows();
  const int hidden = Wx.cols();
  require_shape(X.cols() == Wx.rows(), "X is " + shape_of(X) + " but Wx is " + shape_of(Wx) + " (X.cols must equal Wx.rows)");
  require_shape(Y.rows() == batch && Y.cols() == hidden,
                "Y is " + shape_of(Y) + " but X·Wx is " + shape_string(batch, hidden));
  require_shape(b.rows() == 1 && b.cols() == hidden, "b is " + shape_of(b) + " but must be " + shape_string(1, hidden));
  const bool has_state = Yprev.rows() > 0;
  if (has_state) {
    require_shape(Yprev.rows() == batch && Yprev.cols() == hidden,
                  "Yprev is " + shape_of(Yprev) + " but must be " + shape_string(batch, hidden));
    require_shape(Wy.rows() == hidden && Wy.cols() == hidden, "Wy is " + shape_of(Wy) + " but must be " + shape_string(hidden, hidden));
  }

  gemm(k, X, Wx, Y, 1.0f, 0.0f);                  // Y  = X·Wx
  if (has_state) gemm(k, Yprev, Wy, Y, 1.0f, 1.0f);  // Y += Yprev·Wy
  for (int i = 0; i < batch; ++i)                  // Y = tanh(Y + b), b on every row
    for (int j = 0; j < hidden; ++j) Y(i, j) = std::tanh(Y(i, j) + b(0, j));
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

}  // namespace gemmlab
