// gemmlab/matrix.hpp — the project's own matrix types.
//
// Layout: row-major. Element (i, j) lives at data[i * ld + j], where the
// leading dimension `ld` (in elements) is at least the number of columns.
// A view with ld > cols addresses a sub-block of a larger matrix, which is
// exactly what BLAS calls a matrix with a leading dimension.
//
//   Matrix             owns its storage (64-byte aligned, zero-initialised).
//   MatrixView         non-owning, mutable view  (float*).
//   ConstMatrixView    non-owning, read-only view (const float*).
//
// Shapes are ints, as in the BLAS interface; every constructor checks them.
// Element access with operator() is unchecked (it sits in inner loops);
// at() checks and throws std::out_of_range.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace gemmlab {

// Thrown when the shapes of operands do not fit together. The message names
// both shapes, e.g. "gemm: A is 4x3 but B is 5x5 (A.cols must equal B.rows)".
class shape_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// "4x3": how every message in gemmlab writes a shape.
std::string shape_string(int rows, int cols);

template <class T>
class BasicMatrixView {
 public:
  BasicMatrixView() = default;
  BasicMatrixView(T* data, int rows, int cols, int ld) : data_(data), rows_(rows), cols_(cols), ld_(ld) {
    check_shape(rows, cols, ld);
    if (data == nullptr && rows > 0 && cols > 0)
      throw std::invalid_argument("matrix view: null data for a non-empty view");
  }
  BasicMatrixView(T* data, int rows, int cols) : BasicMatrixView(data, rows, cols, cols) {}

  // A mutable view converts to a const view, never the other way round.
  // (clang-format 14 cannot lay out a requires-clause, hence off/on.)
  // clang-format off
  template <class U>
    requires std::is_same_v<T, const U>
  BasicMatrixView(BasicMatrixView<U> v) : data_(v.data()), rows_(v.rows()), cols_(v.cols()), ld_(v.ld()) {}
  // clang-format on

  int rows() const { return rows_; }
  int cols() const { return cols_; }
  int ld() const { return ld_; }
  T* data() const { return data_; }
  bool empty() const { return rows_ == 0 || cols_ == 0; }

  T& operator()(int i, int j) const { return data_[static_cast<std::ptrdiff_t>(i) * ld_ + j]; }
  T& at(int i, int j) const {
    if (i < 0 || i >= rows_ || j < 0 || j >= cols_)
      throw std::out_of_range("matrix: element (" + std::to_string(i) + ", " + std::to_string(j) + ") is outside a " +
                              shape_string(rows_, cols_) + " matrix");
    return (*this)(i, j);
  }
  T* row(int i) const { return data_ + static_cast<std::ptrdiff_t>(i) * ld_; }

  // The sub-block of `rows` x `cols` elements whose top-left corner is (r0, c0).
  BasicMatrixView block(int r0, int c0, int rows, int cols) const {
    if (r0 < 0 || c0 < 0 || rows < 0 || cols < 0 || r0 > rows_ - rows || c0 > cols_ - cols)
      throw std::out_of_range("matrix: block of " + shape_string(rows, cols) + " at (" + std::to_string(r0) + ", " +
                              std::to_string(c0) + ") does not fit in a " + shape_string(rows_, cols_) + " matrix");
    return BasicMatrixView(rows == 0 || cols == 0 ? data_ : &(*this)(r0, c0), rows, cols, ld_);
  }

 private:
  static void check_shape(int rows, int cols, int ld) {
    if (rows < 0 || cols < 0)
      throw std::invalid_argument("matrix: negative shape " + std::to_string(rows) + "x" + std::to_string(cols));
    if (ld < cols || ld < 1)
      throw std::invalid_argument("matrix: leading dimension " + std::to_string(ld) + " is smaller than the " +
                                  std::to_string(cols) + " columns of a row (or < 1)");
  }

  T* data_ = nullptr;
  int rows_ = 0;
  int cols_ = 0;
  int ld_ = 1;
};

using MatrixView = BasicMatrixView<float>;
using ConstMatrixView = BasicMatrixView<const float>;

// An owning row-major float matrix. Storage is 64-byte aligned (one cache line,
// one AVX-512 register) and zero-initialised; ld defaults to cols (rows are
// contiguous, as numpy stores a C-ordered array).
class Matrix {
 public:
  static constexpr std::size_t alignment = 64;

  Matrix() = default;
  Matrix(int rows, int cols);
  Matrix(int rows, int cols, int ld);
  // Matrix::from_rows({{0, 1, 2}, {3, 4, 5}}): every row must have the same length.
  static Matrix from_rows(std::initializer_list<std::initializer_list<float>> rows);

  Matrix(const Matrix& other);
  Matrix& operator=(const Matrix& other);
  Matrix(Matrix&&) noexcept = default;
  Matrix& operator=(Matrix&&) noexcept = default;
  ~Matrix() = default;

  int rows() const { return rows_; }
  int cols() const { return cols_; }
  int ld() const { return ld_; }
  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  bool empty() const { return rows_ == 0 || cols_ == 0; }

  float& operator()(int i, int j) { return data_[static_cast<std::ptrdiff_t>(i) * ld_ + j]; }
  float operator()(int i, int j) const { return data_[static_cast<std::ptrdiff_t>(i) * ld_ + j]; }
  float& at(int i, int j) { return view().at(i, j); }
  float at(int i, int j) const { return view().at(i, j); }

  MatrixView view() { return {data_.get(), rows_, cols_, ld_}; }
  ConstMatrixView view() const { return {data_.get(), rows_, cols_, ld_}; }
  operator MatrixView() { return view(); }
  operator ConstMatrixView() const { return view(); }
  MatrixView block(int r0, int c0, int rows, int cols) { return view().block(r0, c0, rows, cols); }
  ConstMatrixView block(int r0, int c0, int rows, int cols) const { return view().block(r0, c0, rows, cols); }

  void fill(float value);

 private:
  struct AlignedFree {
    void operator()(float* p) const noexcept;
  };
  std::unique_ptr<float[], AlignedFree> data_;
  int rows_ = 0;
  int cols_ = 0;
  int ld_ = 1;
};

// Element-wise copy between views of the same shape (throws shape_error otherwise).
void copy(ConstMatrixView from, MatrixView to);

}  // namespace gemmlab
