// gemmlab/matrix_io.hpp — plain-text matrices, as numpy.savetxt writes them
// and numpy.loadtxt reads them.
//
// THE FORMAT (read):
//   * one matrix row per line; values separated by spaces, tabs or a comma
//     (with optional spaces around it), so "1 2 3", "1,2,3", "1, 2, 3" and
//     "1\t2\t3" are all the same row. Two commas in a row, or a comma at the
//     start or end of a line, is an error (an empty value). A comma is always
//     a separator, never a decimal mark: "1,5" is the two values 1 and 5,
//     the same row as "1 5" (numpy.savetxt(..., delimiter=",") writes
//     exactly that for [1, 5], so the reader cannot tell the two apart).
//     Text written with decimal commas therefore reads as more columns than
//     it was meant to have; the shape checks of the caller (gemmlab rnn's,
//     for one) then report a matrix of the wrong width;
//   * '#' starts a comment that runs to the end of the line; blank lines and
//     comment-only lines are skipped; "\r\n" line ends are accepted;
//   * a value is a decimal number as C and Python write it: optional sign,
//     digits, optional fraction, optional exponent ("-1.5e-3", ".5", "7.",
//     "+2"). It is parsed as a double (correctly rounded, independent of the
//     locale) and then rounded to float, which is what
//     numpy.loadtxt(..., dtype=numpy.float32) does;
//   * rejected, with a matrix_read_error naming file, line and column:
//     anything else ("1;5", "0x1p3", "1d5"), a value
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
// READING A FILE: at most max_matrix_file_bytes (1 GiB) of text. A larger
// regular file is refused before any of it is read; a pipe or device is
// read until it ends or passes the limit. A NUL byte (binary data,
// /dev/zero) is refused where it occurs. The limit bounds the memory a read
// can take: the text (up to the limit), then 4 bytes per value while the
// values are collected (briefly up to three times that as the list grows),
// then the matrix itself, once the text has been released. When memory runs
// out, the matrix_read_error names the file and the number of bytes that
// could not be allocated.
//
// THE FORMAT (write): one row a line, values separated by one space, each
// printed with 9 significant digits ("%.9g"), which is enough to read back
// the same float exactly (FLT_DECIMAL_DIG = 9).
#pragma once

#include <cstddef>
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

// The largest file read_matrix_file reads by default: 1 GiB, about 40
// million values as numpy.savetxt writes them by default ("%.18e", 25
// characters and a separator each).
inline constexpr std::size_t max_matrix_file_bytes = std::size_t{1} << 30;

// Reads and parses a file of at most max_bytes bytes. Throws
// matrix_read_error if it cannot be opened or read (the message includes the
// system's reason), is larger than max_bytes, holds a NUL byte, needs more
// memory than there is, or is malformed.
Matrix read_matrix_file(const std::string& path, std::size_t max_bytes = max_matrix_file_bytes);

// Writes m in the format above ("%.9g", one space between values). Stops at
// the first row the stream fails to take; the caller checks the stream.
void write_matrix(std::ostream& out, ConstMatrixView m);

// A vector given as one row (1 x n) or one column (n x 1), returned as 1 x n.
// Throws shape_error naming `what` when m is neither.
Matrix as_row_vector(ConstMatrixView m, std::string_view what);

}  // namespace gemmlab
