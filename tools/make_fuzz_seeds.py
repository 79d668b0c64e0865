#!/usr/bin/env python3
"""Builds fuzz seeds from the golden request frames (tests/golden/kafka/*.bin):
  corpus/request/<name>   size-prefixed frame, plus one stream of several frames;
  corpus/batch/<name>-N   each partition's records from the recorded Produce frames;
  corpus/recovery/...     segments of those batches (offsets made contiguous): plain, clean, with an
                          index, torn at the tail, with a flipped CRC byte (layout: tests/fuzz/entries.h).
Usage: /usr/bin/python3 tools/make_fuzz_seeds.py [REPO_ROOT]
"""
import glob
import os
import struct
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
golden = os.path.join(root, "tests/golden/kafka")
corpus = os.path.join(root, "tests/fuzz/corpus")
for t in ("request", "batch", "recovery"):
    os.makedirs(os.path.join(corpus, t), exist_ok=True)


def write(target, name, data):
    with open(os.path.join(corpus, target, name), "wb") as f:
        f.write(data)


def produce_records(frame):
    """Record bytes of each partition of a non-flexible Produce request (v0-8)."""
    pos = 8
    (n,) = struct.unpack_from(">h", frame, pos)
    pos += 2 + max(n, 0)
    version = struct.unpack_from(">h", frame, 2)[0]
    if version >= 3:
        (n,) = struct.unpack_from(">h", frame, pos)
        pos += 2 + max(n, 0)
    pos += 6  # acks, timeout
    out = []
    (topics,) = struct.unpack_from(">i", frame, pos)
    pos += 4
    for _ in range(topics):
        (n,) = struct.unpack_from(">h", frame, pos)
        pos += 2 + n
        (parts,) = struct.unpack_from(">i", frame, pos)
        pos += 4
        for _ in range(parts):
            (size,) = struct.unpack_from(">i", frame, pos + 4)
            pos += 8
            if size > 0:
                out.append(frame[pos:pos + size])
                pos += size
    return out


frames = []
batches = []
for path in sorted(glob.glob(os.path.join(golden, "*.bin"))):
    name = os.path.basename(path)[:-4]
    frame = open(path, "rb").read()
    frames.append(frame)
    write("request", name, struct.pack(">i", len(frame)) + frame)
    if name.startswith("produce_v"):
        for i, recs in enumerate(produce_records(frame)):
            write("batch", f"{name}-{i}", recs)
            if len(recs) > 16 and recs[16] == 2:
                batches.append(recs)
write("request", "stream", b"".join(struct.pack(">i", len(f)) + f for f in frames[:6]))

segment = b""
max_ts = 0
next_offset = 0
for b in batches:
    segment += struct.pack(">q", next_offset) + b[8:]
    next_offset += struct.unpack_from(">i", b, 23)[0] + 1
    max_ts = max(max_ts, struct.unpack_from(">q", b, 35)[0])
if segment:
    index = struct.pack(">IHHq", 0x454C4958, 1, 20, 0) + struct.pack(">IQq", 0, 0, max_ts)
    write("recovery", "plain", b"\x00" + segment)
    write("recovery", "clean", b"\x01" + segment)
    write("recovery", "indexed", b"\x02" + struct.pack(">H", len(index)) + index + segment)
    write("recovery", "torn-tail", b"\x00" + segment[:-7])
    flipped = bytearray(segment)
    flipped[len(batches[0]) + 30 if len(batches) > 1 else 30] ^= 0x40
    write("recovery", "bad-crc", b"\x00" + bytes(flipped))
print(f"{len(frames)} frames, {len(batches)} v2 batches")
