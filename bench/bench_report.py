"""The results file of a Python benchmark: each line is printed as it comes and kept; `write`
appends them, under a header naming the command, the UTC time and the machine's cores, to
bench/results/<name>-<UTC date>.txt (BENCH_OUT overrides the path), as bench/lib.sh does for the
shell benchmarks."""
import datetime
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


class Report:
    def __init__(self, name, note=""):
        now = datetime.datetime.now(datetime.timezone.utc)
        self.path = Path(os.environ.get("BENCH_OUT") or HERE / "results" / f"{name}-{now:%Y-%m-%d}.txt")
        args = " ".join(sys.argv[1:])
        self.lines = [f"# bench/{name}.py{' ' + args if args else ''}, {now:%Y-%m-%dT%H:%M:%SZ}, "
                      f"{os.cpu_count()} cores{', ' + note if note else ''}"]

    def line(self, text):
        print(text, flush=True)
        self.lines.append(text)

    def write(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        existing = self.path.exists() and self.path.stat().st_size > 0
        with open(self.path, "a") as f:
            f.write(("\n" if existing else "") + "\n".join(self.lines) + "\n")
        print(f"wrote {self.path}", file=sys.stderr)
