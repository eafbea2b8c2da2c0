// The thread count setting (GEMMLAB_NUM_THREADS, set_num_threads) and the
// persistent thread pool that runs the threaded kernels (threads.hpp).
#include "gemm/threads.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gemmlab/gemm.hpp"

namespace gemmlab {
namespace {

int threads_from_environment() {
  const char* text = std::getenv("GEMMLAB_NUM_THREADS");
  if (text == nullptr || *text == '\0') return 1;
  char* end = nullptr;
  const long n = std::strtol(text, &end, 10);
  if (*end != '\0' || n < 1 || n > 1024)
    throw std::invalid_argument(std::string("GEMMLAB_NUM_THREADS='") + text +
                                "': expected a whole number from 1 to 1024");
  return static_cast<int>(n);
}

std::atomic<int>& thread_setting() {
  static std::atomic<int> setting{threads_from_environment()};
  return setting;
}

}  // namespace

void set_num_threads(int n) {
  if (n < 1) throw std::invalid_argument("set_num_threads: n=" + std::to_string(n) + " must be at least 1");
  thread_setting().store(n);
}

int num_threads() { return thread_setting().load(); }

}  // namespace gemmlab

namespace gemmlab::detail {
namespace {

class ThreadPool {
 public:
  ThreadPool() = default;
  ThreadPool(const ThreadPool&) = delete;  // one pool, owned by the library
  ThreadPool& operator=(const ThreadPool&) = delete;
  ThreadPool(ThreadPool&&) = delete;
  ThreadPool& operator=(ThreadPool&&) = delete;
  ~ThreadPool() {
    {
      std::lock_guard lock(state_mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& w : workers_) w.join();
  }

  void run(int parts, TaskRef task) {
    // One caller at a time owns the workers. A second caller (another user
    // thread, or a task that itself calls sgemm) does not wait for them: it
    // runs every part itself, so there is no deadlock and no shared state.
    std::unique_lock owner(owner_mutex_, std::try_to_lock);
    if (!owner.owns_lock()) {
      for (int t = 0; t < parts; ++t) task(t);
      return;
    }
    {
      std::lock_guard lock(state_mutex_);
      // Workers are created on first need and kept: worker w runs part w + 1.
      while (static_cast<int>(workers_.size()) < parts - 1) {
        const int part = static_cast<int>(workers_.size()) + 1;
        workers_.emplace_back([this, part, seen = generation_] { worker_loop(part, seen); });
      }
      task_ = &task;
      parts_ = parts;
      unfinished_ = parts - 1;
      ++generation_;  // the signal: a new job
    }
    wake_.notify_all();
    task(0);  // the caller does its share instead of idling
    std::unique_lock lock(state_mutex_);
    done_.wait(lock, [this] { return unfinished_ == 0; });
    task_ = nullptr;
  }

 private:
  void worker_loop(int part, std::uint64_t seen) {
    std::unique_lock lock(state_mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      if (part >= parts_) continue;  // this job needs fewer threads
      const TaskRef* task = task_;
      lock.unlock();
      (*task)(part);
      lock.lock();
      if (--unfinished_ == 0) done_.notify_one();
    }
  }

  std::mutex owner_mutex_;  // held by the caller whose job the workers run
  std::mutex state_mutex_;  // guards everything below
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  std::uint64_t generation_ = 0;  // incremented once per job
  const TaskRef* task_ = nullptr;
  int parts_ = 0;
  int unfinished_ = 0;  // parts still running on workers
  bool stopping_ = false;
};

ThreadPool& pool() {
  static ThreadPool instance;  // created on first use, thread-safe (C++11 magic statics)
  return instance;
}

}  // namespace

void run_parallel(int parts, TaskRef task) {
  if (parts <= 1) {
    task(0);
    return;
  }
  pool().run(parts, task);
}

}  // namespace gemmlab::detail
