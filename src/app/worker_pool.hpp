// A bounded pool of worker threads for CPU-heavy work that must not run on the HTTP threads
// without limit (decoding uploaded photos). The caller waits for its task; when every worker is
// busy and the queue is full, run() refuses at once instead of queueing without bound, and the
// caller answers "busy, try again".
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <queue>
#include <thread>
#include <type_traits>
#include <vector>

namespace civicloop::app {

class WorkerPool {
 public:
  WorkerPool(int threads, std::size_t max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs fn on a worker and returns its result; nullopt when the queue is full. An exception
  // thrown by fn is rethrown here.
  template <class F>
  std::optional<std::invoke_result_t<F>> run(F&& fn) {
    using R = std::invoke_result_t<F>;
    auto task = std::make_shared<std::packaged_task<R()>>(std::forward<F>(fn));
    auto result = task->get_future();
    if (!enqueue([task] { (*task)(); })) return std::nullopt;
    return result.get();
  }

  std::size_t queued() const;

 private:
  bool enqueue(std::function<void()> job);
  void work();

  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::queue<std::function<void()>> jobs_;
  std::size_t max_queued_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace civicloop::app
