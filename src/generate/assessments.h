#pragma once
// Synthetic assessment attempts shaped like the course data set described in
// shared/data/assessments/schema.md: key order, string-typed numbers, nested sequences ->
// questions -> options with consistent counts, and the published exam_name distribution (3280
// rows, Learning Git most common). Deterministic for a seed.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace el::generate {

inline constexpr int64_t kAssessmentRecords = 3280;

// The exam names with their row counts in the original 3280-record file; 103 names. The 23 names
// the sources do not reveal are labelled "Unrecovered Exam NN".
std::vector<std::pair<std::string, int>> ExamDistribution();

// Writes `count` NDJSON lines to `out`.
void GenerateAssessments(int64_t count, uint64_t seed, std::ostream& out);

}  // namespace el::generate
