"""Processes and faults for scripts/chaos_driver.py (python3 standard library only).

A Proc is one silo or the API; a Cluster restarts whatever exits without being told to (as a
Kubernetes Deployment would) and injects the faults: SIGKILL of a random silo, a PostgreSQL
restart (immediate stop: a crash, then recovery), a Redis restart, the API SIGKILLed, and a
SIGTERM rolling restart of every silo in turn.
"""
import os
import random
import shlex
import signal
import subprocess
import threading
import time
import urllib.request


def log(msg):
    import sys
    print(f"[chaos {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Proc:
    """One silo or API process, restartable with the same ports and settings."""

    def __init__(self, spec, pidfile):
        self.spec, self.pidfile, self.p = spec, pidfile, None
        self.name = spec["name"]

    def start(self):
        out = open(self.spec["log"], "ab")
        env = dict(os.environ)
        env.update(self.spec["env"])
        self.p = subprocess.Popen(self.spec["cmd"], cwd=self.spec["cwd"], env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        with open(self.pidfile, "a") as f:
            f.write(f"{self.p.pid}\n")

    def alive(self):
        return self.p is not None and self.p.poll() is None

    def kill(self, sig=signal.SIGKILL, grace=90):
        """Sends sig and waits; a process that outlives grace seconds (SIGTERM) gets SIGKILL."""
        if self.alive():
            self.p.send_signal(sig)
            try:
                self.p.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                log(f"{self.name} still running {grace} s after signal {int(sig)}: SIGKILL")
                self.p.kill()
                self.p.wait()

    def ready(self, timeout=180):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.p.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.p.returncode}; see {self.spec['log']}")
            try:
                with urllib.request.urlopen(self.spec["ready"], timeout=3) as r:
                    if r.status == 200:
                        return
            except Exception:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} not ready after {timeout} s; see {self.spec['log']}")


def as_pg(cmd):
    # PostgreSQL refuses to run as root (scripts/lib.sh does the same).
    return ["runuser", "-u", "postgres", "--"] + cmd if os.getuid() == 0 else cmd


class Cluster:
    def __init__(self, spec, pidfile, restart_after, rng):
        self.spec, self.restart_after, self.rng = spec, restart_after, rng
        self.silos = [Proc(s, pidfile) for s in spec["silos"]]
        self.api = Proc(spec["api"], pidfile)
        self.lock = threading.Lock()
        self.planned = set()  # names of processes a fault took down on purpose
        self.unplanned = []  # (time, name, exit code): exits no fault asked for
        self.faults = []  # dicts: kind, start, end, detail
        self.stop = threading.Event()

    def start_all(self):
        for s in self.silos:
            s.start()
        for s in self.silos:
            s.ready()
        self.api.start()
        self.api.ready()
        threading.Thread(target=self._supervise, daemon=True).start()

    def _supervise(self):
        # What a Deployment does: a process that exits unasked is started again (and counted).
        while not self.stop.wait(1):
            for p in self.silos + [self.api]:
                with self.lock:
                    if p.name in self.planned or p.p is None or p.p.poll() is None:
                        continue
                    self.unplanned.append((time.time(), p.name, p.p.returncode))
                    log(f"{p.name} exited by itself with {p.p.returncode}: starting it again")
                    p.start()

    def _down(self, proc, sig, grace=90):
        with self.lock:
            self.planned.add(proc.name)
        proc.kill(sig, grace)

    def _up(self, proc, wait_ready=False):
        with self.lock:
            proc.start()
            self.planned.discard(proc.name)
        if wait_ready:
            try:
                proc.ready()
            except RuntimeError as e:
                log(str(e))

    def inject(self, kind):
        fault = {"kind": kind, "start": time.time(), "detail": ""}
        getattr(self, "_fault_" + kind)(fault)
        fault["end"] = time.time()
        self.faults.append(fault)

    def _fault_kill(self, fault):
        victim = self.rng.choice(self.silos)
        fault["detail"] = victim.name
        log(f"SIGKILL {victim.name}")
        self._down(victim, signal.SIGKILL)
        fault["killed_at"] = time.time()
        time.sleep(self.restart_after)
        self._up(victim)

    def _fault_api(self, fault):
        log("SIGKILL api")
        self._down(self.api, signal.SIGKILL)
        time.sleep(self.restart_after)
        self._up(self.api, wait_ready=True)

    def _fault_rolling(self, fault):
        # A deploy: each silo in turn gets SIGTERM (graceful shutdown), is started again, and the
        # next one goes only when it is ready, as the Deployment's maxUnavailable 0 would do.
        for s in self.silos:
            log(f"SIGTERM {s.name} (rolling restart)")
            self._down(s, signal.SIGTERM)
            self._up(s, wait_ready=True)

    def _fault_pg(self, fault):
        pg = self.spec["pg"]
        data = pg["data"]
        opts = shlex.split(open(os.path.join(data, "postmaster.opts")).read())[1:]
        if "-D" in opts:  # pg_ctl gives -D itself
            i = opts.index("-D")
            del opts[i:i + 2]
        log("PostgreSQL: immediate stop (a crash)")
        subprocess.run(as_pg([pg["bin"] + "/pg_ctl", "-D", data, "-m", "immediate", "stop"]), capture_output=True, timeout=60)
        time.sleep(self.restart_after)
        r = subprocess.run(as_pg([pg["bin"] + "/pg_ctl", "-D", data, "-l", pg["log"], "-w", "-o", shlex.join(opts), "start"]),
                           capture_output=True, text=True, timeout=120)
        log(f"PostgreSQL started again ({r.returncode})")

    def _fault_redis(self, fault):
        r = self.spec["redis"]
        cli = ["redis-cli", "-p", str(r["port"])]
        conf = {}
        for name in ("dir", "pidfile", "logfile"):
            out = subprocess.run(cli + ["CONFIG", "GET", name], capture_output=True, text=True, timeout=10).stdout.split("\n")
            conf[name] = out[1] if len(out) > 1 else ""
        # "keep": a Redis with persistence restarts with its data; "wipe": one without (the dev
        # overlay's) comes back empty, membership table included.
        keep = r.get("restart", "keep") == "keep"
        fault["detail"] = "data kept" if keep else "data lost"
        log(f"Redis: shutdown ({fault['detail']})")
        subprocess.run(cli + ["SHUTDOWN", "SAVE" if keep else "NOSAVE"], capture_output=True, timeout=30)
        time.sleep(self.restart_after)
        cmd = ["redis-server", "--port", str(r["port"]), "--bind", "127.0.0.1", "--daemonize", "yes", "--save", "",
               "--appendonly", "no"]
        for name, value in conf.items():
            if value:
                cmd += ["--" + name, value]
        subprocess.run(cmd, capture_output=True, timeout=30)
        log("Redis started again")

    def run_schedule(self, kinds, every, until):
        """Faults in the given order, one every `every` s from the start (later when one takes longer)."""
        next_at = time.time() + every
        i = 0
        while not until.wait(max(0.0, next_at - time.time())):
            kind = kinds[i % len(kinds)]
            i += 1
            try:
                self.inject(kind)
            except Exception as e:  # a fault that fails to inject is reported, not fatal
                log(f"fault {kind} failed: {e}")
            next_at = max(next_at + every, time.time())
        self.ensure_up()

    def ensure_up(self):
        with self.lock:
            self.planned.clear()
            for p in self.silos + [self.api]:
                if not p.alive():
                    p.start()
        for p in self.silos + [self.api]:
            p.ready()

    def shutdown(self):
        self.stop.set()
        # The API first, as a deploy drains its front end: stopped after every silo, its cluster client
        # can wait out the whole grace for gateways that are gone (seen: 30 s, then SIGKILL).
        for p in [self.api] + self.silos:
            p.kill(signal.SIGTERM, grace=30)
