#pragma once
// StagingThread: a persistent thread that runs tasks in the order posted; RecordStager
// (jobs/record_stager.h) posts the chunks it stages on a second core. Shared() is the process's
// one instance, started on first use and never stopped (it waits idle between batches, so that a
// batch costs no thread start); its tasks must not block on the thread that posted them.
// Threading: Post from any thread. Lifetime: the destructor runs the tasks still queued, then
// joins the thread.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace el::jobs {

class StagingThread {
 public:
  StagingThread();
  ~StagingThread();
  StagingThread(const StagingThread&) = delete;
  StagingThread& operator=(const StagingThread&) = delete;

  static StagingThread& Shared();

  // Runs `task` on the thread after the tasks posted before it. `task` must not throw.
  void Post(std::function<void()> task);

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::thread thread_;                       // last: starts once the members above exist
};

}  // namespace el::jobs
