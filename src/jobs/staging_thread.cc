#include "jobs/staging_thread.h"

#include <utility>

namespace el::jobs {

StagingThread::StagingThread() : thread_([this] { Loop(); }) {}

StagingThread::~StagingThread() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

StagingThread& StagingThread::Shared() {
  // Never destroyed: a lander thread may still post while the process exits.
  static StagingThread* const shared = new StagingThread();
  return *shared;
}

void StagingThread::Post(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void StagingThread::Loop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
    if (tasks_.empty()) return;  // stopping, nothing left
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

}  // namespace el::jobs
