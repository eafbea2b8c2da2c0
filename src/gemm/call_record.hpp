// src/gemm/call_record.hpp — internal: what the last multiplication on this
// thread actually did (which path, split into how many parts), for
// gemmlab::last_gemm_call() and GEMMLAB_VERBOSE. The dispatcher
// (sgemm.cpp) records it as it runs a kernel: a few stores to a
// thread-local variable per call.
#pragma once

namespace gemmlab::detail {

struct CallRecord {
  const char* path = "";  // "direct", "small" or "packed"
  int parts = 1;          // blocks of C run in parallel (1: the calling thread alone)
};

CallRecord& call_record();  // this thread's (sgemm.cpp)

}  // namespace gemmlab::detail
