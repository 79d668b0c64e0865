#include "io/fault.h"

#include <atomic>
#include <memory>
#include <mutex>

namespace el::io {
namespace {

std::atomic<bool> g_hook_set{false};
std::mutex g_mu;
std::shared_ptr<FaultHook> g_hook;  // GUARDED_BY(g_mu)

}  // namespace

void SetFaultHook(FaultHook hook) {
  std::lock_guard lock(g_mu);
  g_hook = hook ? std::make_shared<FaultHook>(std::move(hook)) : nullptr;
  g_hook_set.store(g_hook != nullptr, std::memory_order_release);
}

Status CheckFault(FileOp op, const std::string& path) {
  if (!g_hook_set.load(std::memory_order_acquire)) return Status::Ok();
  std::shared_ptr<FaultHook> hook;
  {
    std::lock_guard lock(g_mu);
    hook = g_hook;
  }
  return hook ? (*hook)(op, path) : Status::Ok();
}

}  // namespace el::io
