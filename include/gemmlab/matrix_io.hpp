// gemmlab/matrix_io.hpp — plain-text matrices, as numpy.savetxt writes them
// and numpy.loadtxt reads them.
//
// THE FORMAT (read):
//   * one matrix row per line; values separated by spaces, tabs or a comma
//     (with optional spaces around it), so "1 2 3", "1,2,3", "1, 2, 3" and
//     "1\t2\t3" are all the same row. Two commas in a row, or a comma at the
//     start or end of a line, is an error (an empty value);
//   * '#' starts a comment that runs to the end of the line; blank lines and
//     comment-only lines are skipped; "\r\n" line ends are accepted;
//   * a value is a decimal number as C and Python write it: optional sign,
//     digits, optional fraction, optional exponent ("-1.5e-3", ".5", "7.",
//     "+2"). It is parsed as a double (correctly rounded, independent of the
//     locale) and then rounded to float, which is what
//     numpy.loadtxt(..., dtype=numpy.float32) does;
//   * rejected, with a matrix_read_error naming file, line and column:
//     anything else ("1,5" in a decimal-comma locale, "0x1p3", "1d5"), a value
//     whose magnitude is too large for a float (1e39: it would become inf),
//     and the tokens "nan" and "inf" (numpy writes them for NaN and ±inf):
//     gemmlab computes with finite numbers only, since one NaN or inf weight
//     silently turns every output of an RNN into NaN, and the error bounds
//     the tests and the CLI use assume finite data. Values too small for a
//     float round to a subnormal or to zero, as numpy's float32 does;
//   * every row must have as many values as the first (no ragged rows), and
//     a file with no values at all is an error (an empty matrix).
//   * a vector may be stored as one row or as one column: the caller decides
//     what it means (as_row_vector).
//
// THE FORMAT (write): one row a line, values separated by one space, each
// printed with 9 significant digits ("%.9g"), which is enough to read back
// the same float exactly (FLT_DECIMAL_DIG = 9).
#pragma once

#include <iosfwd>
#include <stdexcept>
#include <string>
#include <string_view>

#include "gemmlab/matrix.hpp"

namespace gemmlab {

// Every problem with a matrix file: cannot open or read it, or its contents
// are malformed. what() is one line, "<source>:<line>: <problem>" (or
// "<source>: <problem>" when no single line is to blame).
class matrix_read_error : public std::runtime_error {
 public:
  matrix_read_error(std::string source, int line, const std::string& problem);
  const std::string& source() const { return source_; }
  int line() const { return line_; }  // 1-based; 0 when the whole file is concerned

 private:
  std::string source_;
  int line_;
};

// Parses text in the format above. `source` names it in error messages.
Matrix parse_matrix(std::string_view text, std::string_view source);

// Reads and parses a file. Throws matrix_read_error if it cannot be opened
// or read (the message includes the system's reason) or is malformed.
Matrix read_matrix_file(const std::string& path);

// Writes m in the format above ("%.9g", one space between values).
void write_matrix(std::ostream& out, ConstMatrixView m);

// A vector given as one row (1 x n) or one column (n x 1), returned as 1 x n.
// Throws shape_error naming `what` when m is neither.
Matrix as_row_vector(ConstMatrixView m, std::string_view what);

}  // namespace gemmlab
