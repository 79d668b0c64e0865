#pragma once
// The superseded rule: a data file whose offset range lies inside another file's range of the same
// source, in the same folder, holds rows the other holds too. `eventlake compact` names a merged
// file after the union of its inputs' ranges (lake/names.h), so between publishing it and deleting
// the inputs (or after a crash there) both exist: readers take the covering file, and recovery
// (a local compaction's, an S3 compaction's or landing's) deletes the others.
// Pure code; thread-safe.
#include <string>
#include <string_view>
#include <vector>

namespace el::lake {

// Of the data files of one folder (`names`, file names), which are superseded: their offset range
// lies inside another file's range of the same topic and partition, the two ranges not being
// equal (the parts `_<i>` of one range supersede none of each other). A compaction's merged file
// supersedes the files it was made of; while both exist (a crash, or the moment between publishing
// the merged file and deleting its inputs) readers take the merged one and recovery deletes the
// others. Names that are not data files are never superseded. out[i] is for names[i].
std::vector<bool> SupersededFiles(const std::vector<std::string_view>& names);

// The keys of `keys` (object keys or paths, '/'-separated) that SupersededFiles marks among the
// files of their folder.
std::vector<std::string> SupersededKeys(const std::vector<std::string>& keys);

}  // namespace el::lake
