#pragma once
// Helpers for unit tests that work on real folders (header only; include from *_test.cc files).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace el::test {

// A fresh, empty folder for the running test: <tmp>/<prefix>_<pid>_<test name>.
inline std::filesystem::path FreshTestDir(const std::string& prefix) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              (prefix + "_" + std::to_string(::getpid()) + "_" +
                               ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Creates `path` (and its folders) holding one byte.
inline void TouchFile(const std::filesystem::path& path) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << "x";
}

// Creates `dir` (and its parents) and the file `name` in it holding `text`; returns its path.
inline std::filesystem::path WriteTestFile(const std::filesystem::path& dir, const std::string& name,
                                           const std::string& text) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name) << text;
  return dir / name;
}

}  // namespace el::test
