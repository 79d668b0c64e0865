"""A throwaway Ceph cluster with an S3 gateway, for tests: one monitor, one OSD on the memstore
backend and a RADOS gateway (beast frontend), all on 127.0.0.1, cephx authentication on, every file
under one temporary folder and every daemon a child process of the test run (no systemd, no root
paths, no containers).

    cluster = CephCluster(tmp_dir)
    cluster.start()                  # about 10 s; raises CephError with the daemons' logs
    cluster.endpoint                 # http://127.0.0.1:PORT
    cluster.access_key, cluster.secret_key
    cluster.restart_gateway()        # the same endpoint and keys, a new radosgw process
    cluster.stop()

Startup waits for conditions (the monitor answering `ceph status`, the OSD up, the gateway
answering HTTP), never for fixed times. The monitor gets a free port from the kernel before it is
started (a monitor's address is part of its map, so it cannot take port 0); the gateway likewise.

What the configuration needs, and why:
- `osd objectstore = memstore`: objects live in the OSD's memory (`memstore device bytes` caps it),
  so no disk is formatted and a stop leaves nothing to clean but the folder.
- `osd pool default size = 1`, `min size = 1`, `mon allow pool size one`, `osd crush chooseleaf
  type = 0`: one OSD holds every placement group (the default rule wants replicas on distinct hosts).
- `osd pool default pg num = 8`: the gateway creates about eight pools on its first start; with the
  default 32 placement groups each they would pass `mon max pg per osd` (250) on one OSD and the
  gateway would fail to create its pools.
- no manager daemon: the monitor creates placement groups itself, the gateway needs none, and
  starting ceph-mgr would cost seconds and Python modules.
- the OSD's key is generated into the monitor's initial keyring and the OSD is created with `ceph
  osd new`, so the OSD needs no bootstrap key.
- `paxos propose interval = 0.05` (default 1 s): every pool the gateway creates on its first start
  waits for a few monitor map updates; with the default the gateway took 9 s to answer, with this
  about 1.3 s (the whole cluster: about 4 s instead of 15 s on a 2-core machine).
- `tcp_nodelay=1` on the gateway's frontend: without it the gateway's answers that it writes in
  more than one piece (a listing, a multipart upload's completion) wait for the client's delayed
  acknowledgement, ~40 ms each on loopback: a listing took 48 ms, with it 5 ms. The stall is the
  gateway's socket setting, not S3's protocol; production gateways set it too.
- `rgw dns name = localhost`: the gateway takes both path-style requests (127.0.0.1:PORT/BUCKET/KEY)
  and virtual-host ones (BUCKET.localhost:PORT/KEY; curl resolves every *.localhost name to the
  loopback address itself, so no DNS is involved).
"""
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid

STARTUP_TIMEOUT = 90.0


class CephError(RuntimeError):
    pass


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago (the kernel's choice for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tools_present():
    return all(shutil.which(t) for t in ("ceph-mon", "ceph-osd", "radosgw", "radosgw-admin",
                                          "ceph-authtool", "monmaptool", "ceph"))


class CephCluster:
    def __init__(self, root, access_key="EVENTLAKETESTKEY0001", secret_key=None):
        self.root = os.fspath(root)
        self.conf = os.path.join(self.root, "ceph.conf")
        self.keyring = os.path.join(self.root, "keyring")
        self.access_key = access_key
        self.secret_key = secret_key or uuid.uuid4().hex + uuid.uuid4().hex[:8]
        self.region = "us-east-1"
        self.mon_port = None
        self.rgw_port = None
        self.procs = {}
        self.startup_seconds = None

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.rgw_port}"

    def env(self):
        """The environment variables AWS's SDKs and CLI read, naming this gateway."""
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_REGION": self.region,
                "AWS_ACCESS_KEY_ID": self.access_key, "AWS_SECRET_ACCESS_KEY": self.secret_key}

    def s3(self, access_key=None, secret_key=None):
        """A boto3 S3 client of this gateway (path-style): the tests' independent judge."""
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint, region_name=self.region,
                            aws_access_key_id=access_key or self.access_key,
                            aws_secret_access_key=secret_key or self.secret_key,
                            config=Config(s3={"addressing_style": "path"},
                                          retries={"max_attempts": 3}))

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self):
        t0 = time.monotonic()
        try:
            for sub in ("mon", "osd", "run", "log", "rgw"):
                os.makedirs(os.path.join(self.root, sub), exist_ok=True)
            self.mon_port = free_port()
            self.rgw_port = free_port()
            self._write_conf()
            self._make_keys_and_monmap()
            self._start_mon()
            self._start_osd()
            self._start_gateway()
            self._create_user()
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - t0

    def stop(self):
        """Kills every daemon (SIGKILL: the memstore OSD keeps nothing worth a clean shutdown, and
        a graceful gateway stop takes about 4 s)."""
        for name in ("rgw", "osd", "mon"):
            self._stop_proc(name, signal.SIGKILL)

    def restart_gateway(self, sig=signal.SIGTERM):
        """Stops the gateway with `sig` and starts it again on the same port; returns when it answers."""
        self._stop_proc("rgw", sig)
        self._start_gateway()

    def stop_gateway(self, sig=signal.SIGTERM):
        self._stop_proc("rgw", sig)

    def start_gateway(self):
        self._start_gateway()

    def logs(self, lines=40):
        """The tail of every daemon's log, for error messages."""
        out = []
        logdir = os.path.join(self.root, "log")
        for name in sorted(os.listdir(logdir)) if os.path.isdir(logdir) else []:
            with open(os.path.join(logdir, name), errors="replace") as f:
                tail = f.read().splitlines()[-lines:]
            out.append(f"--- {name}\n" + "\n".join(tail))
        return "\n".join(out)

    # --- steps -----------------------------------------------------------------------------------

    def _write_conf(self):
        r = self.root
        self.fsid = str(uuid.uuid4())
        conf = f"""[global]
fsid = {self.fsid}
mon host = v2:127.0.0.1:{self.mon_port}
mon initial members = a
public addr = 127.0.0.1
ms bind ipv6 = false
ms bind msgr1 = false
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = {self.keyring}
run dir = {r}/run
admin socket = {r}/run/$name.asok
pid file = {r}/run/$name.pid
log file = {r}/log/$name.log
log to stderr = false
err to stderr = true
crash dir = {r}/crash
exporter sock dir = {r}/run
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
mon data avail warn = 1
paxos propose interval = 0.05
paxos min wait = 0.01
mon data avail crit = 0
auth allow insecure global id reclaim = false

[mon]
mon data = {r}/mon
mon cluster log file = {r}/log/cluster.log

[osd]
osd data = {r}/osd
osd objectstore = memstore
memstore device bytes = 1073741824
osd journal size = 0

[client.rgw.test]
rgw frontends = beast endpoint=127.0.0.1:{self.rgw_port} tcp_nodelay=1
rgw data = {r}/rgw
rgw enable usage log = false
rgw thread pool size = 32
rgw dns name = localhost
"""
        with open(self.conf, "w") as f:
            f.write(conf)

    def _make_keys_and_monmap(self):
        k = self.keyring
        self._run(["ceph-authtool", "--create-keyring", k, "--gen-key", "-n", "mon.",
                   "--cap", "mon", "allow *"])
        self._run(["ceph-authtool", k, "--gen-key", "-n", "client.admin", "--cap", "mon", "allow *",
                   "--cap", "osd", "allow *", "--cap", "mgr", "allow *", "--cap", "mds", "allow *"])
        self._run(["ceph-authtool", k, "--gen-key", "-n", "osd.0", "--cap", "mon", "allow profile osd",
                   "--cap", "osd", "allow *", "--cap", "mgr", "allow profile osd"])
        self._run(["ceph-authtool", k, "--gen-key", "-n", "client.rgw.test", "--cap", "mon", "allow rw",
                   "--cap", "osd", "allow rwx", "--cap", "mgr", "allow rw"])
        monmap = os.path.join(self.root, "monmap")
        self._run(["monmaptool", "--create", "--fsid", self.fsid, "--addv", "a",
                   f"[v2:127.0.0.1:{self.mon_port}]", monmap])
        self._run(["ceph-mon", "-c", self.conf, "--mkfs", "-i", "a", "--monmap", monmap,
                   "--keyring", k])

    def _start_mon(self):
        self._spawn("mon", ["ceph-mon", "-f", "-c", self.conf, "-i", "a"])
        self._wait(lambda: self._ceph_ok(["status"]), "the monitor to answer", "mon")

    def _start_osd(self):
        osd_uuid = str(uuid.uuid4())
        out = self._ceph(["osd", "new", osd_uuid, "0"])
        if out.strip() != "0":
            raise CephError(f"ceph osd new answered {out!r}")
        self._run(["ceph-osd", "-c", self.conf, "-i", "0", "--mkfs", "--osd-uuid", osd_uuid])
        self._spawn("osd", ["ceph-osd", "-f", "-c", self.conf, "-i", "0"])
        self._wait(lambda: self._ceph_ok(["osd", "dump"], want=" up "), "the OSD to be up", "osd")

    def _start_gateway(self):
        self._spawn("rgw", ["radosgw", "-f", "-c", self.conf, "-n", "client.rgw.test"])
        self._wait(self._gateway_answers, f"the gateway to answer on {self.endpoint}", "rgw")

    def _create_user(self):
        self._run(["radosgw-admin", "-c", self.conf, "-n", "client.admin", "user", "create",
                   "--uid", "eventlake-test", "--display-name", "eventlake test",
                   "--access-key", self.access_key, "--secret-key", self.secret_key])

    # --- helpers ---------------------------------------------------------------------------------

    def _gateway_answers(self):
        try:
            with urllib.request.urlopen(self.endpoint + "/", timeout=2) as r:
                return r.status < 500
        except urllib.error.HTTPError as e:
            return e.code < 500  # an anonymous list of buckets may be refused: it answered
        except OSError:
            return False

    def _ceph(self, args, timeout=20):
        p = subprocess.run(["ceph", "-c", self.conf, "-n", "client.admin", "--connect-timeout", "5",
                            *args], capture_output=True, text=True, timeout=timeout)
        if p.returncode != 0:
            raise CephError(f"ceph {' '.join(args)} failed ({p.returncode}): {p.stderr.strip()}")
        return p.stdout

    def _ceph_ok(self, args, want=None):
        try:
            out = self._ceph(args, timeout=10)
        except (CephError, subprocess.TimeoutExpired):
            return False
        return want is None or want in out

    def _run(self, cmd, timeout=60):
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if p.returncode != 0:
            raise CephError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}{p.stderr}\n"
                            f"{self.logs()}")
        return p.stdout

    def _spawn(self, name, cmd):
        log = open(os.path.join(self.root, "log", f"{name}.stderr"), "ab")
        self.procs[name] = (subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL), log)

    def _wait(self, cond, what, proc_name, timeout=STARTUP_TIMEOUT):
        deadline = time.monotonic() + timeout
        delay = 0.05
        while time.monotonic() < deadline:
            popen = self.procs[proc_name][0]
            if popen.poll() is not None:
                raise CephError(f"{proc_name} exited with {popen.returncode} while waiting for {what}:\n"
                                f"{self.logs()}")
            if cond():
                return
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
        raise CephError(f"timed out after {timeout:.0f} s waiting for {what}:\n{self.logs()}")

    def _stop_proc(self, name, sig=signal.SIGTERM):
        entry = self.procs.pop(name, None)
        if entry is None:
            return
        popen, log = entry
        if popen.poll() is None:
            popen.send_signal(sig)
            try:
                popen.wait(10)
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait()
        log.close()


@contextlib.contextmanager
def running_cluster(root):
    c = CephCluster(root)
    c.start()
    try:
        yield c
    finally:
        c.stop()


if __name__ == "__main__":
    import tempfile
    with tempfile.TemporaryDirectory(prefix="ceph-") as d:
        with running_cluster(d) as c:
            print(f"endpoint {c.endpoint} started in {c.startup_seconds:.1f} s")
