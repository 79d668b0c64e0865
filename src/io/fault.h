#pragma once
// Fault injection for the io seam (tests only). When a hook is installed, every io::File operation
// and directory operation of io/dir.h asks it first; a non-OK Status makes the operation fail with that Status. A failed Append first
// writes half of its data, like a torn write on a full or failing disk.
// Threading: SetFaultHook may be called from any thread; the hook itself runs on the thread doing
// the I/O and must be thread-safe. Install only in tests; clear with nullptr before the test ends.
#include <functional>
#include <string>

#include "base/status.h"

namespace el::io {

// kList: io::ListDir; kRename: io::Rename; kRemove: io::RemoveFile and io::RemoveAll; kMkdir:
// io::CreateDirs.
enum class FileOp { kOpen, kAppend, kReadAt, kTruncate, kSync, kList, kRename, kRemove, kMkdir };

using FaultHook = std::function<Status(FileOp op, const std::string& path)>;

void SetFaultHook(FaultHook hook);

// OK when no hook is installed (one relaxed atomic load on the fast path).
Status CheckFault(FileOp op, const std::string& path);

}  // namespace el::io
