// src/gemm/threads.hpp — internal: the persistent thread pool behind the
// threaded kernels.
//
// Why a pool: creating and joining a std::thread costs tens of microseconds
// (a clone() system call, a new stack, the scheduler), as long as a whole
// 128 x 128 multiplication. The pool creates its worker threads once, on the
// first call that asks for them, and keeps them asleep on a condition
// variable between calls; waking them costs a few microseconds.
//
// Rules:
//   * run_parallel(parts, task) calls task(t) once for every t in [0, parts):
//     t = 0 on the calling thread, the others on workers; it returns when all
//     have finished. Tasks must not throw (the kernels never do).
//   * Safe from any number of user threads at once: one caller at a time owns
//     the workers; a caller that finds them busy (another thread's sgemm, or a
//     task calling sgemm itself) runs all its parts on its own thread. The
//     result is the same, only slower, and nothing can deadlock.
//   * If the system refuses to create a worker (std::thread throws), the job
//     runs on the workers that exist and the caller runs the parts left
//     without one: same result, fewer threads. The next call tries again.
//   * After fork(), the child's first threaded call builds a new pool (the
//     parent's workers do not exist in the child); threads.cpp says why.
//   * The pool lives until the program exits; its destructor wakes and joins
//     the workers.
#pragma once

#include <atomic>

namespace gemmlab::detail {

// ---- the settings check every sgemm call makes ---------------------------------
//
// GEMMLAB_NUM_THREADS and GEMMLAB_DISABLE_ISA are each read once; while
// either is invalid (and, for the thread count, not replaced by
// set_num_threads), check_settings() throws. Once both are valid they stay
// valid (set_num_threads accepts only valid counts and the environment is
// not read again), so settings_valid only ever goes from false to true and
// the check costs one load on every call after the first.
extern std::atomic<bool> settings_valid;
void check_settings_slowly();  // throws, or sets settings_valid
inline void require_valid_settings() {
  if (!settings_valid.load(std::memory_order_acquire)) check_settings_slowly();
}

// A non-owning reference to "something callable with (int part)": a pointer to
// the callable and a function that calls it. Cheaper than std::function (no
// allocation), and the callable outlives the call because run_parallel waits.
class TaskRef {
 public:
  template <class F>
  explicit TaskRef(F& f) : object_(&f), call_([](void* o, int part) { (*static_cast<F*>(o))(part); }) {}
  void operator()(int part) const { call_(object_, part); }

 private:
  void* object_;
  void (*call_)(void*, int);
};

void run_parallel(int parts, TaskRef task);

}  // namespace gemmlab::detail
