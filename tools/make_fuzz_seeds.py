#!/usr/bin/env python3
"""Builds fuzz seeds from the golden request frames (tests/golden/kafka/*.bin):
  corpus/request/<name>   size-prefixed frame, plus one stream of several frames;
  corpus/batch/<name>-N   each partition's records from the recorded Produce frames;
  corpus/recovery/...     segments of those batches (offsets made contiguous): plain, clean, with an
                          index, torn at the tail, with a flipped CRC byte (layout: tests/fuzz/entries.h);
  corpus/http/...         collector requests: seed routes, /events, Segment calls, gzip, chunked,
                          pipelined, write keys;
  corpus/job/...          the job files in examples/ and a few more;
  corpus/schema/...       schema version files and type texts.
Usage: /usr/bin/python3 tools/make_fuzz_seeds.py [REPO_ROOT]
"""
import base64
import glob
import gzip
import json
import os
import struct
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
golden = os.path.join(root, "tests/golden/kafka")
corpus = os.path.join(root, "tests/fuzz/corpus")
for t in ("request", "batch", "recovery", "http", "job", "schema"):
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


def http_request(method, path, body=b"", headers=()):
    head = f"{method} {path} HTTP/1.1\r\nHost: localhost:5000\r\n"
    for k, v in headers:
        head += f"{k}: {v}\r\n"
    if body or method == "POST":
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


call = {"type": "track", "event": "Sword Bought", "userId": "u1", "messageId": "m-1",
        "properties": {"price": 9.5, "tags": ["a", "b"], "meta": {"x": 1}}, "timestamp": "2026-01-01T00:00:00Z"}
batch = json.dumps({"batch": [call, {"type": "identify", "anonymousId": 7, "traits": {"name": "x\u00e9"}},
                              {"type": "page", "userId": "u2", "name": "home"}],
                    "context": {"library": {"name": "analytics-node"}}, "writeKey": "k"}).encode()
json_hdr = [("Content-Type", "application/json"), ("User-Agent", "fuzz/1.0")]
http_seeds = {
    "get-default": http_request("GET", "/"),
    "get-sword": http_request("GET", "/purchase_a_sword", headers=[("User-Agent", "curl/8"), ("Referer", "x")]),
    "get-action": http_request("GET", "/join_guild?guild=red&size=3&event_type=x&a=%20b+c"),
    "get-ignored": http_request("GET", "/favicon.ico"),
    "events-object": http_request("POST", "/events", b'{"event_type":"buy","n":1,"o":{"a":[1,2]}}', json_hdr),
    "events-array": http_request("POST", "/events", b'[{"event_type":"a"},{"event_type":"b","x":null}]', json_hdr),
    "track": http_request("POST", "/v1/track", json.dumps(call).encode(), json_hdr),
    "batch": http_request("POST", "/v1/batch", batch, json_hdr),
    "batch-short": http_request("POST", "/v1/b", batch, json_hdr),
    "alias": http_request("POST", "/v1/alias", b'{"userId":"a","previousId":"b"}', json_hdr),
    "group": http_request("POST", "/v1/group", b'{"userId":"a","groupId":"g","traits":{}}', json_hdr),
    "gzip-batch": http_request("POST", "/v1/batch", gzip.compress(batch, mtime=0),
                               json_hdr + [("Content-Encoding", "gzip")]),
    "gzip-events": http_request("POST", "/events", gzip.compress(b'[{"event_type":"z"}]', mtime=0),
                                [("Content-Encoding", "x-gzip")]),
    "write-key": http_request("POST", "/v1/track", json.dumps(call).encode(),
                              json_hdr + [("Authorization", "Basic " + base64.b64encode(b"key:").decode())]),
    "options": http_request("OPTIONS", "/v1/batch", headers=[("Origin", "https://a.example"),
                                                             ("Access-Control-Request-Headers", "content-type")]),
    "health": http_request("GET", "/healthz") + http_request("GET", "/metrics"),
    "chunked": (b"POST /events HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"5\r\n{\"a\":\r\n3\r\n1}\n\r\n0\r\n\r\n"),
    "expect-continue": http_request("POST", "/v1/track", json.dumps(call).encode(),
                                    json_hdr + [("Expect", "100-continue")]),
    "repeated-headers": http_request("GET", "/x", headers=[("Accept", "a"), ("accept", "b"),
                                                           ("X-Forwarded-For", "1.2.3.4")]),
    "bad-json": http_request("POST", "/v1/track", b'{"type":"track",', json_hdr),
}
http_seeds["pipelined"] = http_seeds["get-sword"] + http_seeds["track"] + http_seeds["get-action"]
for name, data in http_seeds.items():
    write("http", name, data)

for path in sorted(glob.glob(os.path.join(root, "examples", "*.toml"))):
    write("job", os.path.basename(path)[:-5], open(path, "rb").read())
write("job", "ranges", b'''name = "ranges"
[source]
topics = ["a", "b.c"]
from = { 0 = 10, 1 = "earliest" }
to = 500
follow = false
event_time = "ts"
time_zone = "Europe/Paris"
max_record_bytes = 4096
mode = "append"

[[output]]
table = "t1"
sql = "SELECT * FROM source WHERE x > 1"
partition_by = ["dt", "hour", "event_type"]

[[output]]
table = "t2"
sql = "SELECT id, items FROM t1"
unnest = "items"
parent_key = ["id"]
mode = "overwrite"
''')
write("job", "timestamp-from", b'[source]\ntopic = "t"\nfrom = "2026-01-01T00:00:00Z"\n[[output]]\ntable = "x"\n')

version = {"version": 3, "created": "2026-01-01T00:00:00Z",
           "columns": [{"name": "event_type", "type": "VARCHAR"}, {"name": "n", "type": "BIGINT"},
                       {"name": "o", "type": 'STRUCT("a" BIGINT[], "b c" STRUCT("x" DOUBLE, "y" JSON))'},
                       {"name": "m", "type": "MAP(VARCHAR, BIGINT)"}, {"name": "d", "type": "DECIMAL(18,3)"},
                       {"name": "l", "type": "STRUCT(\"k\" VARCHAR)[][]"}, {"name": "t", "type": "TIMESTAMP"}],
           "changes": ["added o STRUCT(...)", "n INTEGER -> BIGINT"]}
write("schema", "version", json.dumps(version).encode() + b"\n")
write("schema", "types", b"BIGINT\nDOUBLE\nVARCHAR[]\nSTRUCT(\"a\" BIGINT, b VARCHAR)\n"
                         b"STRUCT(\"a\" VARCHAR, c BOOLEAN[])\nJSON\nDATE\nTIMESTAMP\nINTEGER[]\nUUID\n")
write("schema", "nested", b'STRUCT("a ""q""" STRUCT(b STRUCT(c BIGINT[])[])[], d MAP(VARCHAR, STRUCT(e BIGINT)))\n'
                          b'STRUCT("a ""q""" STRUCT(b STRUCT(c DOUBLE[], f DATE)[])[])\n')
print(f"{len(frames)} frames, {len(batches)} v2 batches, {len(http_seeds)} http requests")
