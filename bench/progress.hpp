// bench/progress.hpp — one status line on stderr, rewritten in place with '\r'
// while the sweep runs (it takes minutes), and erased at the end.
#pragma once

#include <cstdio>
#include <string>

namespace gemmlab::bench {

class Progress {
 public:
  Progress(bool enabled, int total) : enabled_(enabled), total_(total) {}
  ~Progress() { finish(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // "[ 12/170] what": counts one more step.
  void step(const std::string& what) {
    ++done_;
    if (!enabled_) return;
    std::string line("[");
    line.append(std::to_string(done_)).append("/").append(std::to_string(total_)).append("] ").append(what);
    const std::size_t width = line.size();
    if (line.size() < last_width_) line.append(last_width_ - line.size(), ' ');  // erase the longer old line
    last_width_ = width;
    std::fprintf(stderr, "\r%s", line.c_str());
    std::fflush(stderr);
  }

  void finish() {
    if (!enabled_ || last_width_ == 0) return;
    std::fprintf(stderr, "\r%s\r", std::string(last_width_, ' ').c_str());
    std::fflush(stderr);
    last_width_ = 0;
  }

 private:
  bool enabled_;
  int total_;
  int done_ = 0;
  std::size_t last_width_ = 0;
};

}  // namespace gemmlab::bench
