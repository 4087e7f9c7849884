// TaskPool: a fixed set of threads running submitted tasks in order of submission. Used for
// background chunk writes and readahead.
//
// Tasks must not wait for other tasks of the same pool (a full pool would deadlock); the
// callers here only ever wait for tasks from foreground threads.
//
// Thread-safety: Submit is thread-safe. The destructor runs every task already submitted, then
// joins the threads. mu_ guards queue_ and stopping_.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tessera::client {

class TaskPool {
 public:
  explicit TaskPool(int threads);
  ~TaskPool();
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  void Submit(std::function<void()> task);

 private:
  void RunWorker();

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace tessera::client
