#!/usr/bin/env python3
"""Recording TCP proxy for the Kafka protocol: forwards bytes between clients and a broker unchanged and
writes the first request frame of each (api key, api version) it sees to OUT_DIR/<api>_v<N>.bin (the frame
without its 4-byte size: request header + body), for golden tests and fuzz seeds.

Usage: kafka_record_proxy.py --listen 127.0.0.1:PORT --upstream 127.0.0.1:PORT --out DIR [--overwrite]
       [--port-file F]
Clients only stay on the proxy if the broker advertises the proxy's address (eventlake broker --advertise).
"""
import argparse
import asyncio
import os
import struct
import sys

API_NAMES = {
    0: "produce", 1: "fetch", 2: "list_offsets", 3: "metadata", 8: "offset_commit", 9: "offset_fetch",
    10: "find_coordinator", 11: "join_group", 12: "heartbeat", 13: "leave_group", 14: "sync_group",
    15: "describe_groups", 16: "list_groups", 18: "api_versions", 19: "create_topics", 20: "delete_topics",
    22: "init_producer_id",
}


class Recorder:
    def __init__(self, out_dir, overwrite):
        self.out_dir = out_dir
        self.overwrite = overwrite
        self.seen = set()

    def record(self, frame):
        if len(frame) < 4:
            return
        api_key, version = struct.unpack(">hh", frame[:4])
        name = API_NAMES.get(api_key, f"api{api_key}")
        key = (api_key, version)
        if key in self.seen:
            return
        self.seen.add(key)
        path = os.path.join(self.out_dir, f"{name}_v{version}.bin")
        if os.path.exists(path) and not self.overwrite:
            return
        with open(path, "wb") as f:
            f.write(frame)
        print(f"recorded {path} ({len(frame)} bytes)", file=sys.stderr, flush=True)


async def pump_requests(reader, writer, recorder):
    buf = b""
    while True:
        data = await reader.read(65536)
        if not data:
            break
        writer.write(data)
        await writer.drain()
        buf += data
        while len(buf) >= 4:
            (size,) = struct.unpack(">i", buf[:4])
            if size < 0 or len(buf) < 4 + size:
                break
            recorder.record(buf[4:4 + size])
            buf = buf[4 + size:]
    writer.close()


async def pump(reader, writer):
    while True:
        data = await reader.read(65536)
        if not data:
            break
        writer.write(data)
        await writer.drain()
    writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--overwrite", action="store_true")
    ap.add_argument("--port-file")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    recorder = Recorder(args.out, args.overwrite)
    up_host, up_port = args.upstream.rsplit(":", 1)

    async def on_client(c_reader, c_writer):
        try:
            b_reader, b_writer = await asyncio.open_connection(up_host, int(up_port))
        except OSError:
            c_writer.close()
            return
        await asyncio.gather(pump_requests(c_reader, b_writer, recorder), pump(b_reader, c_writer),
                             return_exceptions=True)

    host, port = args.listen.rsplit(":", 1)
    server = await asyncio.start_server(on_client, host, int(port))
    bound = server.sockets[0].getsockname()[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(f"{bound}\n")
        os.rename(args.port_file + ".tmp", args.port_file)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
