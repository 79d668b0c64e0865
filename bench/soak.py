#!/usr/bin/env python3
"""Crash matrix of the whole pipeline (collector -> broker -> follow lander -> lake), run by
bench/soak.sh; `run_mode` runs one mode and can be called from a test with a few kills.

Client threads send Segment `track` calls (single `/v1/track` and `/v1/batch` of 5-20), every event
with its own messageId; a request answered non-2xx, or whose connection failed, is sent again as is
(same messageIds) until it is answered 2xx (bounded). Meanwhile one process at a time is SIGKILLed at
a random moment and restarted on the same ports: the broker, the collector or the lander of a
three-process pipeline, or the single `eventlake up` process. Afterwards the lake is checked by
`event_id` (the collector stores messageId there): every acknowledged event must be in the `events`
table exactly once. The topic is read too, so that doubling in the log (a request produced twice) is
told apart from doubling by the lander.

Uses only the standard library, confluent-kafka and the integration tests' harness.
"""
import argparse
import collections
import datetime
import http.client
import json
import os
import pathlib
import platform
import random
import re
import signal
import subprocess
import sys
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests" / "integration"))
import harness  # noqa: E402

TOPIC = "events"
KINDS = {"separate": ("broker", "collector", "lander"), "up": ("up",)}


class Config:
    """Knobs of one run; the defaults are the bench's (bench/soak.sh maps SOAK_* variables on them)."""

    def __init__(self, **kw):
        self.clients = 4              # client threads
        self.pause_ms = 20            # mean pause between a client's requests
        self.retry_pause_ms = 200     # mean pause before a request is sent again
        self.max_attempts = 200       # attempts per request before the client gives up on it
        self.max_request_s = 60.0     # time per request (all attempts) before the client gives up
        self.http_timeout_s = 15.0    # one attempt (the collector answers 503 after 10 s)
        self.gap_s = (0.3, 2.5)       # time between a restart and the next kill (uniform)
        self.down_s = (0.0, 0.5)      # time a killed process stays down (uniform)
        self.tail_s = 3.0             # load after the last restart
        self.catchup_s = 180.0        # lander catch-up at the end
        self.budget_s = 1800.0        # kill loop of one mode
        self.partitions = 2           # partitions of `events` in the three-process pipeline
        self.flush_ms = 100           # lander's --flush-ms
        for k, v in kw.items():
            if not hasattr(self, k):
                raise TypeError(f"unknown soak setting {k}")
            setattr(self, k, v)


class Load:
    """Client threads driving the collector at `url`. `acked` maps every messageId answered 2xx to its
    request; `requests` maps a request to (how, first failure time, events): how it got its 2xx,
    'first' (first attempt), 'status' (after non-2xx answers only) or 'conn' (after at least one
    connection error or timeout, whose outcome the client could not know), and the time.monotonic()
    of its first failed attempt (None: none)."""

    def __init__(self, url, cfg, seed, prefix):
        host, port = url.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.cfg = cfg
        self.seed = seed
        self.prefix = prefix
        self.acked = {}
        self.requests = {}
        self.lock = threading.Lock()
        self.stop_flag = threading.Event()
        self.stats = collections.Counter()     # requests, events, retried_requests, gave_up_*
        self.answers = collections.Counter()   # attempt outcome: HTTP status or exception name
        self.threads = [threading.Thread(target=self._worker, args=(w,), daemon=True)
                        for w in range(cfg.clients)]

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self, timeout):
        """No new requests; requests being retried go on until answered 2xx or given up."""
        self.stop_flag.set()
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.1, deadline - time.monotonic()))
        return [t.name for t in self.threads if t.is_alive()]

    def _worker(self, w):
        rng = random.Random(f"{self.seed}-{w}")
        conn = [None]
        n = 0
        while not self.stop_flag.is_set():
            user = f"user{rng.randrange(50)}"
            if rng.random() < 0.5:
                ids = [f"{self.prefix}-w{w}-{n}"]
                path = "/v1/track"
                body = {"userId": user, "event": "soak", "messageId": ids[0],
                        "properties": {"worker": w, "n": n}}
            else:
                ids = [f"{self.prefix}-w{w}-{n}-{j}" for j in range(rng.randint(5, 20))]
                path = "/v1/batch"
                body = {"batch": [{"type": "track", "userId": user, "event": "soak", "messageId": i,
                                   "properties": {"worker": w, "n": n, "j": j}}
                                  for j, i in enumerate(ids)]}
            n += 1
            self._send(conn, rng, path, json.dumps(body).encode(), ids, f"w{w}-{n - 1}")
            time.sleep(rng.uniform(0, 2 * self.cfg.pause_ms / 1000))
        if conn[0] is not None:
            conn[0].close()

    def _send(self, conn, rng, path, body, ids, req):
        cfg = self.cfg
        started = time.monotonic()
        how = "first"
        first_fail = None
        for attempt in range(1, cfg.max_attempts + 1):
            try:
                if conn[0] is None:
                    conn[0] = http.client.HTTPConnection(self.host, self.port, timeout=cfg.http_timeout_s)
                conn[0].request("POST", path, body=body, headers={"Content-Type": "application/json"})
                resp = conn[0].getresponse()
                resp.read()
                outcome = resp.status
                if resp.will_close:
                    conn[0].close()
                    conn[0] = None
            except (OSError, http.client.HTTPException) as e:
                outcome = type(e).__name__
                if conn[0] is not None:
                    conn[0].close()
                conn[0] = None
            with self.lock:
                self.answers[outcome] += 1
                if isinstance(outcome, int) and 200 <= outcome < 300:
                    for i in ids:
                        self.acked[i] = req
                    self.requests[req] = (how, first_fail, len(ids))
                    self.stats["requests"] += 1
                    self.stats["events"] += len(ids)
                    if attempt > 1:
                        self.stats["retried_requests"] += 1
                    return
            how = "conn" if not isinstance(outcome, int) or how == "conn" else "status"
            if first_fail is None:
                first_fail = time.monotonic()
            if time.monotonic() - started > cfg.max_request_s:
                break
            time.sleep(rng.uniform(0.5, 1.5) * cfg.retry_pause_ms / 1000)
        with self.lock:
            self.stats["gave_up_requests"] += 1
            self.stats["gave_up_events"] += len(ids)


class Separate:
    """`eventlake broker`, `eventlake collect` and `eventlake land --follow` as three processes."""
    kinds = KINDS["separate"]

    def __init__(self, procs, work, cfg):
        self.procs, self.cfg = procs, cfg
        self.data, self.lake = work / "data", work / "lake"
        self.n = collections.Counter()
        self.proc = {}
        self.proc["broker"], self.brokers = procs.broker(self.data, name="broker-0")
        self.broker_port = int(self.brokers.rsplit(":", 1)[1])
        harness.create_topic(self.brokers, TOPIC, cfg.partitions)
        self.proc["collector"], self.url = procs.collector(self.brokers, name="collector-0")
        self.http_port = int(self.url.rsplit(":", 1)[1])
        self.proc["lander"] = self._lander("lander-0")

    def _lander(self, name):
        return self.procs.start(["land", "--brokers", self.brokers, "--lake", str(self.lake), "--topic", TOPIC,
                                 "--follow", "--flush-ms", str(self.cfg.flush_ms)], name)

    def start(self, kind):
        self.n[kind] += 1
        name = f"{kind}-{self.n[kind]}"
        if kind == "broker":
            self.proc[kind], _ = self.procs.broker(self.data, name=name, port=self.broker_port, timeout=30)
        elif kind == "collector":
            self.proc[kind], _ = self.procs.collector(self.brokers, name=name, port=self.http_port, timeout=30)
        else:
            self.proc[kind] = self._lander(name)


class Up:
    """`eventlake up`: broker, collector and follow lander in one process; the lake is DATA/lake."""
    kinds = KINDS["up"]

    def __init__(self, procs, work, cfg):
        self.procs, self.cfg = procs, cfg
        self.data = work / "data"
        self.lake = self.data / "lake"
        self.n = collections.Counter()
        self.proc = {}
        self.proc["up"], self.brokers, self.url = procs.up(self.data, name="up-0", extra=self._extra())
        self.broker_port = int(self.brokers.rsplit(":", 1)[1])
        self.http_port = int(self.url.rsplit(":", 1)[1])

    def _extra(self):
        return ["--topic", TOPIC, "--flush-ms", str(self.cfg.flush_ms)]

    def start(self, kind):
        self.n[kind] += 1
        self.proc[kind], _, _ = self.procs.up(self.data, name=f"up-{self.n[kind]}", extra=self._extra(),
                                              kafka_port=self.broker_port, http_port=self.http_port, timeout=30)


def restart(pipe, kind, notes, attempts=5):
    """Starts `kind` again on its ports; a failed start (e.g. the port not free yet) is retried."""
    for attempt in range(attempts):
        try:
            pipe.start(kind)
            return
        except (RuntimeError, TimeoutError) as e:
            notes.append(f"restart of {kind} failed (attempt {attempt + 1}): {str(e).splitlines()[0][:300]}")
            old = pipe.proc.get(kind)
            if old is not None:
                old.stop(signal.SIGKILL)
            time.sleep(0.5 * (attempt + 1))
    raise RuntimeError(f"{kind} did not restart after {attempts} attempts: " + "; ".join(notes[-attempts:]))


def revive_dead(pipe, notes):
    """Restarts any process of the pipeline that exited by itself (noted with its exit code)."""
    for kind in pipe.kinds:
        p = pipe.proc[kind]
        if p.popen.poll() is not None:
            tail = " | ".join(p.output().strip().splitlines()[-3:])[:400]
            notes.append(f"{kind} ({p.log_path.name}) exited by itself with {p.popen.returncode}: {tail}")
            restart(pipe, kind, notes)


def lake_count(lake):
    if not (pathlib.Path(lake) / TOPIC).is_dir():
        return 0
    return int(harness.query(lake, f"SELECT count(*) AS n FROM {TOPIC}", timeout=600)[0]["n"])


def catch_up(pipe, timeout, notes):
    """Waits until the lake's files hold every offset up to the topic's end offsets and the lake's
    count stops changing; returns (seconds, end offsets, landed ends, count)."""
    t0 = time.monotonic()
    deadline = t0 + timeout
    ends = harness.end_offsets(pipe.brokers, TOPIC)
    landed = {}
    while time.monotonic() < deadline:
        landed = harness.landed_ends(pipe.lake, TOPIC)
        if all(landed.get(p, 0) >= e for p, e in ends.items()):
            break
        revive_dead(pipe, notes)
        time.sleep(0.2)
    else:
        notes.append(f"catch-up timed out after {timeout:.0f} s: topic ends {ends}, lake ends {landed}")
    count = lake_count(pipe.lake)
    for _ in range(30):
        if time.monotonic() > deadline + 30:
            break
        time.sleep(1.0)
        again = lake_count(pipe.lake)
        if again == count:
            break
        count = again
    return time.monotonic() - t0, ends, landed, count


LOG_LINE = re.compile(r"^\S+ (warn|warning|error|critical) (.*)$")


def log_findings(procs, limit=12):
    """Warnings and errors in the processes' logs, grouped by message with numbers blanked."""
    found = collections.Counter()
    work = str(procs.tmp_path)
    for p in procs.all:
        try:
            text = p.log_path.read_text(errors="replace")
        except OSError:
            continue
        for line in text.replace(work, "WORK").splitlines():
            m = LOG_LINE.match(line)
            if m:
                found[f"{m.group(1)} {re.sub(r'[0-9]+', 'N', m.group(2))[:160]}"] += 1
            elif re.search(r"(?i)\b(abort|assert|terminate called|segmentation|panic)", line):
                found[f"fatal? {re.sub(r'[0-9]+', 'N', line)[:160]}"] += 1
    return found.most_common(limit)


def run_mode(mode, kills, procs, work, cfg, seed, log=print):
    """One crash matrix run. `kills` maps each kind of `mode` to how many SIGKILLs it gets. Returns a
    dict of what was measured (see `verdict`)."""
    rng = random.Random(f"{seed}-{mode}")
    work = pathlib.Path(work)
    work.mkdir(parents=True, exist_ok=True)
    pipe = (Separate if mode == "separate" else Up)(procs, work, cfg)
    log(f"[{mode}] brokers {pipe.brokers}, collector {pipe.url}, lake {pipe.lake}")
    schedule = [k for k in pipe.kinds for _ in range(kills.get(k, 0))]
    rng.shuffle(schedule)
    notes = []
    done = collections.Counter()
    kill_times = []  # (time.monotonic() of the SIGKILL, kind)
    load = Load(pipe.url, cfg, seed, f"{mode}-{seed}")
    t0 = time.monotonic()
    load.start()
    try:
        for i, kind in enumerate(schedule):
            if time.monotonic() - t0 > cfg.budget_s:
                notes.append(f"kill loop stopped by its time budget ({cfg.budget_s:.0f} s) after {i} kills")
                break
            time.sleep(rng.uniform(*cfg.gap_s))
            revive_dead(pipe, notes)
            kill_times.append((time.monotonic(), kind))
            pipe.proc[kind].stop(signal.SIGKILL)
            done[kind] += 1
            time.sleep(rng.uniform(*cfg.down_s))
            restart(pipe, kind, notes)
            if (i + 1) % 25 == 0 or i + 1 == len(schedule):
                log(f"[{mode}] {i + 1}/{len(schedule)} kills, {len(load.acked)} events acknowledged, "
                    f"{time.monotonic() - t0:.0f} s")
        time.sleep(cfg.tail_s)
        revive_dead(pipe, notes)
    finally:
        stuck = load.stop(cfg.max_request_s + cfg.http_timeout_s + 5)
    if stuck:
        notes.append(f"client threads still in a request after the load stopped: {stuck}")
    kill_s = time.monotonic() - t0
    revive_dead(pipe, notes)
    with load.lock:
        acked = dict(load.acked)
        requests = dict(load.requests)
    log(f"[{mode}] load stopped: {len(acked)} events acknowledged in {kill_s:.0f} s; waiting for the lander")
    catchup_s, ends, landed, count = catch_up(pipe, cfg.catchup_s, notes)
    log(f"[{mode}] lander caught up in {catchup_s:.1f} s ({count} rows); reading topic and lake")

    log_ids = collections.Counter()
    unparsed = 0
    for v in harness.read_topic(pipe.brokers, TOPIC, timeout=300):
        try:
            log_ids[json.loads(v)["event_id"]] += 1
        except (ValueError, KeyError, TypeError):
            unparsed += 1
    rows = harness.query(pipe.lake, f"SELECT event_id, count(*) AS n FROM {TOPIC} GROUP BY event_id",
                         timeout=900) if count else []
    lake_ids = {r["event_id"]: int(r["n"]) for r in rows}
    typed = harness.query(pipe.lake, f"SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM {TOPIC}_soak",
                          timeout=900)[0] if count else {"n": 0, "d": 0}

    # A clean stop at the end: every process should exit 0 on SIGTERM.
    for kind in pipe.kinds:
        rc = pipe.proc[kind].stop(signal.SIGTERM, timeout=30)
        if rc != 0:
            notes.append(f"{kind} exited {rc} on SIGTERM at the end")

    lost = [i for i in acked if i not in lake_ids]
    doubled = [i for i in acked if lake_ids.get(i, 0) > 1]
    lost_log = [i for i in acked if i not in log_ids]
    log_doubled = [i for i, c in log_ids.items() if c > 1]
    lander_doubled = [i for i, c in lake_ids.items() if c > log_ids.get(i, 0)]
    def last_kill(t):
        before = [kind for k_t, kind in kill_times if t is not None and k_t <= t]
        return before[-1] if before else "no kill before"

    def how(ids):
        return dict(collections.Counter(requests[acked[i]][0] if i in acked else "never acked" for i in ids))

    doubled_reqs = {acked[i] for i in doubled}
    by_how = collections.Counter()
    for h, _, n in requests.values():
        by_how[h] += n
    return {
        "mode": mode, "seed": seed, "kills": dict(done), "kills_asked": dict(kills),
        "acked": len(acked), "acked_by_how": dict(by_how), "requests": load.stats["requests"],
        "retried_requests": load.stats["retried_requests"],
        "gave_up_requests": load.stats["gave_up_requests"], "gave_up_events": load.stats["gave_up_events"],
        "answers": {str(k): v for k, v in sorted(load.answers.items(), key=lambda kv: str(kv[0]))},
        "lost": len(lost), "lost_examples": sorted(lost)[:5],
        "lost_from_log": len(lost_log),
        "doubled": len(doubled), "doubled_examples": sorted(doubled)[:5],
        "doubled_by_how": how(doubled), "doubled_requests": len(doubled_reqs),
        "doubled_requests_by_kill": dict(collections.Counter(last_kill(requests[r][1]) for r in doubled_reqs)),
        "doubled_requests_examples": sorted(doubled_reqs)[:8],
        "log_records": sum(log_ids.values()), "log_unparsed": unparsed,
        "log_doubled": len(log_doubled), "log_doubled_by_how": how(log_doubled),
        "lander_doubled": len(lander_doubled),
        "lake_rows": count, "lake_distinct": len(lake_ids),
        "lake_not_acked": len([i for i in lake_ids if i not in acked]),
        "typed_rows": int(typed["n"]), "typed_distinct": int(typed["d"]),
        "end_offsets": ends, "landed_ends": landed,
        "seconds": round(kill_s, 1), "catchup_seconds": round(catchup_s, 1),
        "notes": notes, "log_findings": log_findings(procs),
    }


def verdict(r):
    """True when nothing acknowledged was lost or doubled in the lake. The topic log may hold an event
    twice (a client resent a request the killed collector had produced; the restarted collector does
    not know its messageIds): the lander's dedup window lands it once."""
    return r["lost"] == 0 and r["doubled"] == 0


def report(r):
    acked = max(r["acked"], 1)
    kills = ", ".join(f"{k} {v}" for k, v in r["kills"].items()) or "none"
    lines = [
        f"mode {r['mode']}: kills {kills} (asked {sum(r['kills_asked'].values())}), "
        f"{r['seconds']} s of load, lander caught up in {r['catchup_seconds']} s",
        f"  acknowledged events      {r['acked']} in {r['requests']} requests "
        f"({r['retried_requests']} needed a retry; events by how their request got its 2xx: {r['acked_by_how']})",
        f"  gave up (not acked)      {r['gave_up_events']} events in {r['gave_up_requests']} requests",
        f"  lost (acked, not in lake) {r['lost']}  ratio {r['lost'] / acked:.6f}  "
        f"(of them not in the topic either: {r['lost_from_log']}) {r['lost_examples']}",
        f"  doubled in lake          {r['doubled']}  ratio {r['doubled'] / acked:.6f}  "
        f"by how the request got its 2xx: {r['doubled_by_how']} {r['doubled_examples']}",
        f"    in {r['doubled_requests']} requests; the last kill before a request's first failed attempt: "
        f"{r['doubled_requests_by_kill']} {r['doubled_requests_examples']}",
        f"  doubled in topic log     {r['log_doubled']}  ratio {r['log_doubled'] / acked:.6f}  "
        f"by how the request got its 2xx: {r['log_doubled_by_how']}",
        f"  doubled by the lander    {r['lander_doubled']} (more rows in the lake than records in the log)",
        f"  topic {r['log_records']} records (end offsets {r['end_offsets']}, {r['log_unparsed']} not parsed); "
        f"lake {r['lake_rows']} rows, {r['lake_distinct']} distinct event_id, {r['lake_not_acked']} never acked; "
        f"events_soak {r['typed_rows']} rows, {r['typed_distinct']} distinct",
        f"  attempt outcomes         {r['answers']}",
    ]
    for n in r["notes"][:20]:
        lines.append(f"  note: {n}")
    if len(r["notes"]) > 20:
        lines.append(f"  note: ... {len(r['notes']) - 20} more")
    for msg, n in r["log_findings"]:
        lines.append(f"  log x{n}: {msg}")
    lines.append(f"  result: {'OK' if verdict(r) else 'FAILED: acknowledged events lost or doubled'}")
    return "\n".join(lines)


class RecordingProcs(harness.Procs):
    """harness.Procs that also appends every pid it starts to a file, for bench/soak.sh's exit trap."""

    def __init__(self, tmp_path, pid_file):
        super().__init__(tmp_path)
        self.pid_file = pid_file

    def start(self, args, name="eventlake"):
        p = super().start(args, name)
        with open(self.pid_file, "a") as f:
            f.write(f"{p.popen.pid}\n")
        return p


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", required=True, help="scratch directory (data, lakes, logs)")
    ap.add_argument("--out", help="results file to write")
    ap.add_argument("--command", default="bench/soak.sh", help="command line to put in the results")
    a = ap.parse_args()
    env = os.environ
    kills = int(env.get("SOAK_KILLS", "100"))
    seed = int(env.get("SOAK_SEED", random.randrange(1 << 30)))
    modes = [m.strip() for m in env.get("SOAK_MODES", "separate,up").split(",") if m.strip()]
    for m in modes:
        if m not in KINDS:
            sys.exit(f"SOAK_MODES: unknown mode {m} (separate, up)")
    total_s = float(env.get("SOAK_MAX_SECONDS", "1800"))
    cfg = Config(clients=int(env.get("SOAK_CLIENTS", "4")), pause_ms=float(env.get("SOAK_PAUSE_MS", "20")),
                 partitions=int(env.get("SOAK_PARTITIONS", "2")))
    n_kills = {m: kills * len(KINDS[m]) for m in modes}
    print(f"soak seed: {seed} (replay with SOAK_SEED={seed}); {kills} kills per process kind; modes {modes}; "
          f"kill loops bounded to {total_s:.0f} s in all", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = pathlib.Path(a.work)
    results = []
    started = datetime.datetime.now(datetime.timezone.utc)
    for m in modes:
        cfg.budget_s = total_s * n_kills[m] / max(1, sum(n_kills.values()))
        procs = RecordingProcs(work / m, work / "pids")
        (work / m).mkdir(parents=True, exist_ok=True)
        try:
            r = run_mode(m, {k: kills for k in KINDS[m]}, procs, work / m, cfg, seed,
                         log=lambda s: print(s, flush=True))
        finally:
            procs.kill_all()
        results.append(r)
        print(report(r), flush=True)
    ok = all(verdict(r) for r in results)
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = "?"
    text = "\n".join([
        f"eventlake crash matrix (soak), {started.strftime('%Y-%m-%dT%H:%M:%SZ')}, {os.cpu_count()} cores, "
        f"{platform.release()}, HEAD {commit}",
        f"command: {a.command}",
        f"seed: {seed} (SOAK_SEED={seed} replays the kill schedule and the clients' requests; timing still varies)",
        f"settings: SOAK_KILLS={kills} per process kind, {cfg.clients} client threads (mean pause "
        f"{cfg.pause_ms:g} ms; /v1/track and /v1/batch of 5-20), kill gap {cfg.gap_s[0]}-{cfg.gap_s[1]} s, "
        f"down {cfg.down_s[0]}-{cfg.down_s[1]} s, lander --flush-ms {cfg.flush_ms}, "
        f"{cfg.partitions} partitions (three processes; up: 1)",
        "",
        *[report(r) for r in results],
        "",
        "summary (mode: kills; acknowledged; lost; doubled in lake; doubled in log):",
        *[f"  {r['mode']}: {sum(r['kills'].values())} ({', '.join(f'{k} {v}' for k, v in r['kills'].items())}); "
          f"{r['acked']}; {r['lost']}; {r['doubled']}; {r['log_doubled']}" for r in results],
        f"result: {'OK' if ok else 'FAILED: acknowledged events lost or doubled'}",
    ])
    if a.out:
        pathlib.Path(a.out).write_text(text + "\n")
        print(f"wrote {a.out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
