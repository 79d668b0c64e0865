#pragma once
// Fuzz entry points shared by the libFuzzer targets (fuzzer.cc, built with EL_FUZZ=ON) and by the
// corpus replay test (corpus_replay_test.cc, part of the regular suite). Each takes arbitrary bytes,
// must never crash, hang or leak on any input, and returns a non-OK Status only when an internal
// invariant is broken (a decoded message that does not re-encode stably, a batch accepted by the
// parser that is not whole, a recovered log that reads back inconsistent data). Input that is merely
// malformed is rejected by the code under test and yields OK here.
// Threading: each call is independent; RecoveryEntry uses a fresh temp directory per call.
#include <cstdint>
#include <span>

#include "base/status.h"

namespace el::fuzz {

using Input = std::span<const uint8_t>;

// A stream of request frames as a broker connection reads them: 4-byte size (refused outside
// [8, kMaxFrameBytes]), header (v1/v2), then the body decoded by the request type of the header's api
// key at its version; every decoded body is re-encoded and must decode and re-encode identically.
Status RequestEntry(Input data);

// storage::ParseBatch on the bytes; an accepted batch must lie inside the input, keep validating
// after its baseOffset is rewritten, and agree with ReadBatchHeader.
Status BatchEntry(Input data);

// Input: flags byte (bit 0: write the clean-shutdown marker, bit 1: an index file follows), then
// when bit 1 is set a big-endian u16 index length and that many index bytes, then the segment bytes.
// Writes them as partition t-0's first segment, opens a LogManager over it (recovery), reads the
// whole log back, appends one batch, closes, reopens and checks nothing changed.
Status RecoveryEntry(Input data);

// Bytes as an HTTP connection delivers them to the collector: up to 16 requests parsed one after
// another with the session's limits, each routed and, on an event route, its body (gzip undone)
// built into events (collector/request_events.h); every event must be one JSON object whose
// event_type and event_id agree with what the collector routes and de-duplicates by.
Status HttpEntry(Input data);

// A job file's TOML text (jobs::ParseJob); an accepted job has topics and outputs, and no name
// that becomes a lake path escapes or hides.
Status JobEntry(Input data);

// A schema version file's text (lake::ParseSchemaVersion), or else type texts one per line
// (lake::SchemaType::Parse); both must print and parse back to themselves, and MergeTypes of any
// two parsed types must stay put when either is merged in again.
Status SchemaEntry(Input data);

inline constexpr size_t kMaxFrameBytes = 1u << 20;

}  // namespace el::fuzz
