// Matrix storage: aligned allocation, copying and the shape messages.
#include "gemmlab/matrix.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <new>

#include "core/memory.hpp"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace gemmlab {

namespace detail {

float* allocate_floats(std::size_t count) {
  constexpr std::size_t line = 64;
  if (count > (SIZE_MAX - huge_page_bytes) / sizeof(float)) throw std::bad_alloc();
  std::size_t bytes = count * sizeof(float);
  const bool large = bytes >= huge_page_bytes / 2;
  const std::size_t alignment = large ? huge_page_bytes : line;
  // std::aligned_alloc wants a size that is a multiple of the alignment.
  bytes = (bytes + alignment - 1) / alignment * alignment;
  void* p = std::aligned_alloc(alignment, bytes);
  if (p == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (large) (void)madvise(p, bytes, MADV_HUGEPAGE);  // a hint: if refused, ordinary pages
#endif
  return static_cast<float*>(p);
}

}  // namespace detail

std::string shape_string(int rows, int cols) { return std::to_string(rows) + "x" + std::to_string(cols); }

void Matrix::AlignedFree::operator()(float* p) const noexcept { std::free(p); }

Matrix::Matrix(int rows, int cols) : Matrix(rows, cols, cols > 0 ? cols : 1) {}

Matrix::Matrix(int rows, int cols, int ld) : rows_(rows), cols_(cols), ld_(ld) {
  // The shape first, so the message shows the one the caller asked for
  // (the view below sees 0 rows).
  if (rows < 0 || cols < 0) throw std::invalid_argument("matrix: negative shape " + shape_string(rows, cols));
  MatrixView(nullptr, 0, cols, ld);  // reuse the view's leading-dimension check
  const std::size_t count = static_cast<std::size_t>(rows) * static_cast<std::size_t>(ld);
  if (count == 0) return;
  float* p = detail::allocate_floats(count);  // 64-byte aligned; large ones on 2 MiB pages (core/memory.hpp)
  std::fill(p, p + count, 0.0f);
  data_.reset(p);
}

Matrix Matrix::from_rows(std::initializer_list<std::initializer_list<float>> rows) {
  const int r = static_cast<int>(rows.size());
  const int c = r == 0 ? 0 : static_cast<int>(rows.begin()->size());
  Matrix m(r, c);
  int i = 0;
  for (const auto& row : rows) {
    if (static_cast<int>(row.size()) != c)
      throw shape_error("Matrix::from_rows: row " + std::to_string(i) + " has " + std::to_string(row.size()) +
                        " values but row 0 has " + std::to_string(c));
    std::copy(row.begin(), row.end(), m.data() + static_cast<std::ptrdiff_t>(i) * m.ld());
    ++i;
  }
  return m;
}

Matrix::Matrix(const Matrix& other) : Matrix(other.rows_, other.cols_, other.ld_) {
  if (!other.empty()) std::copy(other.data(), other.data() + static_cast<std::ptrdiff_t>(rows_) * ld_, data());
}

Matrix& Matrix::operator=(const Matrix& other) {
  if (this != &other) *this = Matrix(other);
  return *this;
}

void Matrix::fill(float value) {
  for (int i = 0; i < rows_; ++i)
    std::fill(data() + static_cast<std::ptrdiff_t>(i) * ld_, data() + static_cast<std::ptrdiff_t>(i) * ld_ + cols_,
              value);
}

void copy(ConstMatrixView from, MatrixView to) {
  if (from.rows() != to.rows() || from.cols() != to.cols())
    throw shape_error("copy: source is " + shape_string(from.rows(), from.cols()) + " but destination is " +
                      shape_string(to.rows(), to.cols()));
  for (int i = 0; i < from.rows(); ++i) std::copy(from.row(i), from.row(i) + from.cols(), to.row(i));
}

}  // namespace gemmlab
