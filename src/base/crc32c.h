#pragma once
// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of Kafka RecordBatch v2.
// Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at runtime), a table otherwise.
// Thread-safe: pure function.
#include <cstdint>
#include <span>

namespace el {

// Incremental: Crc32c(b, Crc32c(a)) == Crc32c(a + b). Start with crc = 0.
uint32_t Crc32c(std::span<const uint8_t> data, uint32_t crc = 0);

// The portable table implementation, exposed so that tests can compare it with the hardware path.
uint32_t Crc32cPortable(std::span<const uint8_t> data, uint32_t crc = 0);

}  // namespace el
