// bench/progress.hpp — one status line on stderr, rewritten in place with '\r'
// while the sweep runs (it takes minutes), and erased at the end. When stderr
// is not a terminal (a CI log, a file), '\r' would pile every update onto one
// line: then a plain line is printed at every tenth of the way instead.
#pragma once

#include <unistd.h>  // isatty (POSIX)

#include <cstdio>
#include <string>

namespace gemmlab::bench {

class Progress {
 public:
  Progress(bool enabled, int total) : enabled_(enabled), terminal_(isatty(STDERR_FILENO) == 1), total_(total) {}
  ~Progress() { finish(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  Progress(Progress&&) = delete;
  Progress& operator=(Progress&&) = delete;

  // "[ 12/170] what": counts one more step.
  void step(const std::string& what) {
    ++done_;
    if (!enabled_) return;
    if (!terminal_) {
      if (done_ * 10 / total_ != (done_ - 1) * 10 / total_ || done_ == 1)
        std::fprintf(stderr, "[%d/%d] %s\n", done_, total_, what.c_str());
      return;
    }
    std::string line("[");
    line.append(std::to_string(done_)).append("/").append(std::to_string(total_)).append("] ").append(what);
    const std::size_t width = line.size();
    if (line.size() < last_width_) line.append(last_width_ - line.size(), ' ');  // erase the longer old line
    last_width_ = width;
    std::fprintf(stderr, "\r%s", line.c_str());
    std::fflush(stderr);
  }

  void finish() {
    if (!enabled_ || !terminal_ || last_width_ == 0) return;
    std::fprintf(stderr, "\r%s\r", std::string(last_width_, ' ').c_str());
    std::fflush(stderr);
    last_width_ = 0;
  }

 private:
  bool enabled_;
  bool terminal_;
  int total_;
  int done_ = 0;
  std::size_t last_width_ = 0;
};

}  // namespace gemmlab::bench
