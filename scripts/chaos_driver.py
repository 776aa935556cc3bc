#!/usr/bin/env python3
"""Chaos driver for scripts/chaos.sh (python3 standard library only).

Starts the silos and the API from a launch spec (JSON written by chaos.sh), drives echo tasks and
runs of a diamond workflow through the HTTP API as a well-behaved client (same Idempotency-Key
resent after 1 s on 5xx or a connection error), SIGKILLs a random silo every K seconds and starts
it again after a pause, then polls every acknowledged id and checks the durability promise:
every acknowledged task and run reaches a terminal state within (watchdog interval + 1 min) of the
last fault, none answers 404, none stays queued/running. Prints one summary line; exit 1 on any
violation.
"""
import argparse
import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

TERMINAL_TASK = {"succeeded", "failed", "cancelled", "dead-lettered", "dead_lettered"}
TERMINAL_RUN = {"succeeded", "failed", "cancelled"}


def log(msg):
    print(f"[chaos {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Proc:
    """One silo or API process, restartable with the same ports and settings."""

    def __init__(self, spec, pidfile):
        self.spec, self.pidfile, self.p = spec, pidfile, None

    def start(self):
        out = open(self.spec["log"], "ab")
        env = dict(os.environ)
        env.update(self.spec["env"])
        self.p = subprocess.Popen(self.spec["cmd"], cwd=self.spec["cwd"], env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        with open(self.pidfile, "a") as f:
            f.write(f"{self.p.pid}\n")

    def kill(self, sig=signal.SIGKILL):
        if self.p and self.p.poll() is None:
            self.p.send_signal(sig)
            self.p.wait()

    def ready(self, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.p.poll() is not None:
                raise RuntimeError(f"{self.spec['name']} exited with {self.p.returncode}; see {self.spec['log']}")
            try:
                with urllib.request.urlopen(self.spec["ready"], timeout=3) as r:
                    if r.status == 200:
                        return
            except Exception:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.spec['name']} not ready after {timeout} s; see {self.spec['log']}")


class Api:
    def __init__(self, base):
        self.base, self.token = base, None

    def call(self, method, path, body=None, key=None, timeout=60):
        """Returns (status, json or None, headers); status 0 means a connection error."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", "Bearer " + self.token)
        if key:
            req.add_header("Idempotency-Key", key)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                raw = r.read()
                return r.status, (json.loads(raw) if raw else None), r.headers
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                payload = json.loads(raw) if raw else None
            except ValueError:
                payload = None
            return e.code, payload, e.headers
        except Exception:
            return 0, None, {}

    def must(self, method, path, body=None, ok=(200, 201, 202, 204), patience=120):
        deadline = time.time() + patience
        while True:
            status, payload, _ = self.call(method, path, body)
            if status in ok:
                return payload
            if time.time() > deadline or (400 <= status < 500 and status not in (408, 429)):
                raise RuntimeError(f"{method} {path} -> {status} {payload}")
            time.sleep(1)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.acked = {"task": {}, "run": {}}  # id -> first-ack time
        self.latencies = []
        self.resent = 0
        self.server_errors = 0
        self.retry_after_missing = 0
        self.rejected = []  # (kind, status, code) of final non-2xx answers
        self.codes = {}


def submit(api, stats, kind, path, body, patience):
    """A well-behaved client: one key, resent after 1 s on 5xx/connection errors, until a 2xx."""
    key = "chaos-" + uuid.uuid4().hex
    start = time.time()
    sends = 0
    while True:
        sends += 1
        status, payload, headers = api.call("POST", path, body, key=key)
        if 200 <= status < 300:
            ident = payload["id"] if kind == "task" else payload["runId"]
            with stats.lock:
                stats.acked[kind].setdefault(ident, time.time())
                stats.latencies.append(time.time() - start)
                stats.resent += sends > 1
            return
        code = (payload or {}).get("code") if isinstance(payload, dict) else None
        with stats.lock:
            stats.codes[f"{status}:{code}"] = stats.codes.get(f"{status}:{code}", 0) + 1
            if status >= 500:
                stats.server_errors += 1
                if status == 503 and not headers.get("Retry-After"):
                    stats.retry_after_missing += 1
        retryable = status == 0 or status >= 500 or status == 429
        if not retryable or time.time() - start > patience:
            with stats.lock:
                stats.rejected.append((kind, status, code))
            return
        time.sleep(1)


def iso_seconds(text):
    """Epoch seconds of an ISO time such as 2026-12-03T14:45:27.2191329Z (7 fraction digits)."""
    from datetime import datetime, timezone
    head, _, frac = text.rstrip("Z").partition(".")
    t = datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()
    return t + (float("0." + frac) if frac else 0.0)


def detection_times(spec, silos, kills):
    """Seconds from each SIGKILL to the last vote that declared the silo dead, read from the
    Redis membership table (kills the restarted silo resolved by itself carry no votes)."""
    redis = spec.get("redis")
    if not redis:
        return []
    try:
        out = subprocess.run(["redis-cli", "-p", str(redis["port"]), "HGETALL", redis["key"]],
                             capture_output=True, text=True, timeout=10).stdout
    except Exception:
        return []
    entries = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    ports = {s.spec["name"]: s.spec["env"]["Orleans__SiloPort"] for s in silos}
    found = []
    for when, name in kills:
        prefix = f"127.0.0.1:{ports[name]}@"
        before = [e for e in entries if e["SiloAddress"]["SiloAddress"].startswith(prefix) and e["Status"] == 6
                  and iso_seconds(e["StartTime"]) < when and e.get("SuspectTimes")]
        if before:
            latest = max(before, key=lambda e: iso_seconds(e["StartTime"]))
            votes = [iso_seconds(v["Item2"]) for v in latest["SuspectTimes"]]
            if max(votes) > when:
                found.append(max(votes) - when)
    return found


def percentile(values, p):
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", required=True)
    ap.add_argument("--pidfile", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--duration", type=float, default=75)
    ap.add_argument("--kill-every", type=float, default=15)
    ap.add_argument("--restart-after", type=float, default=5)
    ap.add_argument("--tasks-per-second", type=float, default=6)
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--delay-ms", type=int, default=250)
    ap.add_argument("--agents", type=int, default=6)
    ap.add_argument("--slots", type=int, default=16)
    ap.add_argument("--watchdog", type=float, default=20, help="the silos' watchdog/resume interval, seconds")
    ap.add_argument("--clients", type=int, default=24)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--name", default="chaos")
    args = ap.parse_args()
    rng = random.Random(args.seed)

    spec = json.load(open(args.spec))
    silos = [Proc(s, args.pidfile) for s in spec["silos"]]
    api_proc = Proc(spec["api"], args.pidfile)
    for s in silos:
        s.start()
    for s in silos:
        s.ready()
    api_proc.start()
    api_proc.ready()
    log(f"{len(silos)} silos and the API are up")

    api = Api(spec["api"]["base"])
    api.token = api.must("POST", "/api/auth/login", {"username": "admin", "password": args.password})["accessToken"]
    agents = [f"chaos-{i}" for i in range(1, args.agents + 1)]
    for a in agents:
        api.must("POST", "/api/agents", {"id": a, "name": a, "capabilities": ["chaos"], "maxConcurrentTasks": args.slots},
                 ok=(200, 201, 409))
    step = lambda sid, deps: {"id": sid, "capability": "chaos", "skill": "echo", "input": {"delayMs": args.delay_ms // 2, "step": sid},
                              "dependsOn": deps}
    wf = {"id": "chaos-diamond", "name": "chaos diamond", "goal": "survive silo kills",
          "steps": [step("a", []), step("b", ["a"]), step("c", ["a"]), step("d", ["b", "c"])]}
    api.must("POST", "/api/workflows", wf, ok=(200, 201, 409))
    for t in ("validate", "stage", "activate"):
        api.must("POST", f"/api/workflows/chaos-diamond/{t}", ok=(200, 201, 202, 204, 409))

    stop = threading.Event()
    load_done = threading.Event()

    def heartbeats():
        while not stop.is_set():
            for a in agents:
                api.call("POST", f"/api/agents/{a}/heartbeat", {"activeTasks": 0}, timeout=10)
            stop.wait(10)

    def token_refresh():
        # Access tokens are short-lived; log in again well before expiry.
        while not stop.wait(300):
            status, payload, _ = api.call("POST", "/api/auth/login", {"username": "admin", "password": args.password})
            if status == 200:
                api.token = payload["accessToken"]

    kills = []  # (time, silo name)
    last_fault = [time.time()]

    def chaos():
        # Kills on a fixed schedule (every K s from the start), whatever the restarts cost.
        next_kill = time.time() + args.kill_every
        while not load_done.wait(max(0.0, next_kill - time.time())):
            next_kill += args.kill_every
            victim = rng.choice(silos)
            log(f"SIGKILL {victim.spec['name']}")
            victim.kill()
            kills.append((time.time(), victim.spec["name"]))
            last_fault[0] = time.time()
            time.sleep(args.restart_after)
            victim.start()
            last_fault[0] = time.time()
        # Every silo up again before the checks.
        for s in silos:
            if s.p.poll() is not None:
                s.start()

    threads = [threading.Thread(target=heartbeats, daemon=True), threading.Thread(target=token_refresh, daemon=True)]
    for t in threads:
        t.start()
    chaos_thread = threading.Thread(target=chaos)
    chaos_thread.start()

    stats = Stats()
    jobs = queue.Queue()
    patience = max(180.0, args.watchdog + 120)

    def client():
        while True:
            job = jobs.get()
            if job is None:
                return
            submit(api, stats, *job, patience=patience)

    clients = [threading.Thread(target=client, daemon=True) for _ in range(args.clients)]
    for c in clients:
        c.start()
    started = time.time()
    total_tasks = int(args.duration * args.tasks_per_second)
    run_every = max(1, total_tasks // max(1, args.runs))
    runs_sent = 0
    for i in range(total_tasks):
        due = started + i / args.tasks_per_second
        time.sleep(max(0.0, due - time.time()))
        jobs.put(("task", "/api/tasks", {"capability": "chaos", "skill": "echo", "input": {"delayMs": args.delay_ms, "n": i}}))
        if i % run_every == 0 and runs_sent < args.runs:
            runs_sent += 1
            jobs.put(("run", "/api/workflows/chaos-diamond/runs", {"mode": "production", "input": {"n": i}}))
    for _ in clients:
        jobs.put(None)
    for c in clients:
        c.join()
    log(f"load done after {time.time() - started:.0f} s: {len(stats.acked['task'])} tasks and {len(stats.acked['run'])} runs acknowledged")
    load_done.set()
    chaos_thread.join()
    for s in silos:
        s.ready()
    last_fault[0] = max(last_fault[0], max((k for k, _ in kills), default=started))
    deadline = last_fault[0] + args.watchdog + 60
    log(f"{len(kills)} kills; every silo is up; checking until {args.watchdog + 60:.0f} s after the last fault")

    pending = {("task", i) for i in stats.acked["task"]} | {("run", i) for i in stats.acked["run"]}
    outcome = {}
    while pending:
        batch = list(pending)
        results = queue.Queue()

        def poll(items):
            for kind, ident in items:
                path = f"/api/tasks/{ident}" if kind == "task" else f"/api/runs/{ident}"
                status, payload, _ = api.call("GET", path, timeout=20)
                results.put((kind, ident, status, payload))

        pollers = [threading.Thread(target=poll, args=(batch[k::8],)) for k in range(8)]
        for p in pollers:
            p.start()
        for p in pollers:
            p.join()
        while not results.empty():
            kind, ident, status, payload = results.get()
            if status == 200:
                state = payload.get("state") if kind == "task" else payload.get("status")
                outcome[(kind, ident)] = state
                if state in (TERMINAL_TASK if kind == "task" else TERMINAL_RUN):
                    pending.discard((kind, ident))
            elif status == 404:
                outcome[(kind, ident)] = "404"
            else:
                outcome.setdefault((kind, ident), f"http {status}")
        if time.time() > deadline:
            break
        if pending:
            time.sleep(2)
    check_end = time.time()
    stop.set()

    def count(kind, pred):
        return sum(1 for (k, _), v in outcome.items() if k == kind and pred(v))

    tasks_acked, runs_acked = len(stats.acked["task"]), len(stats.acked["run"])
    lost_t, lost_r = count("task", lambda v: v == "404"), count("run", lambda v: v == "404")
    stuck_t = sum(1 for k in pending if k[0] == "task" and outcome.get(k) != "404")
    stuck_r = sum(1 for k in pending if k[0] == "run" and outcome.get(k) != "404")
    ok_t, ok_r = count("task", lambda v: v == "succeeded"), count("run", lambda v: v == "succeeded")
    failed_t = count("task", lambda v: v in ("failed", "dead-lettered", "dead_lettered", "cancelled"))
    failed_r = count("run", lambda v: v in ("failed", "cancelled"))
    acked = tasks_acked + runs_acked
    detections = detection_times(spec, silos, kills)
    detected = (f"p50 {percentile(detections, 50):.1f} s max {max(detections):.1f} s ({len(detections)} by votes)"
                if detections else "n/a")
    attempted = total_tasks + runs_sent
    summary = (f"tasks {tasks_acked}/{total_tasks} acknowledged, {ok_t} succeeded, {failed_t} failed, {lost_t} lost(404), {stuck_t} stuck; "
               f"runs {runs_acked}/{runs_sent} acknowledged, {ok_r} succeeded, {failed_r} failed, {lost_r} lost(404), {stuck_r} stuck; "
               f"resend share {100.0 * stats.resent / max(1, acked):.1f}% ({stats.server_errors} 5xx answers, "
               f"{stats.retry_after_missing} 503 without Retry-After), "
               f"submit p50 {1000 * percentile(stats.latencies, 50):.0f} ms p99 {1000 * percentile(stats.latencies, 99):.0f} ms; "
               f"{len(kills)} kills, dead declared after {detected}; settled {max(0.0, check_end - last_fault[0]):.0f} s after the last fault")
    stuck_samples = [f"{k[0]} {k[1]}={outcome.get(k)}" for k in sorted(pending) if outcome.get(k) != "404"][:5]
    lost_samples = [f"{k[0]} {k[1]}" for k, v in outcome.items() if v == "404"][:5]
    violations = []
    if lost_t or lost_r:
        violations.append(f"{lost_t + lost_r} acknowledged ids answer 404 (e.g. {', '.join(lost_samples)})")
    if stuck_t or stuck_r:
        violations.append(f"{stuck_t + stuck_r} acknowledged ids not terminal {args.watchdog + 60:.0f} s after the last fault "
                          f"(e.g. {', '.join(stuck_samples)})")
    if stats.rejected:
        codes = {}
        for kind, status, code in stats.rejected:
            codes[f"{kind} {status} {code}"] = codes.get(f"{kind} {status} {code}", 0) + 1
        violations.append(f"{len(stats.rejected)} submissions never acknowledged: {codes}")
    if stats.retry_after_missing:
        violations.append(f"{stats.retry_after_missing} answers 503 without Retry-After")
    if len(kills) < 1 or tasks_acked == 0:
        violations.append("the run did not exercise anything (no kills or no tasks)")
    log("5xx answers by status:code " + json.dumps(stats.codes))
    print(f"{args.name}: {summary}")
    if violations:
        print(f"{args.name} VIOLATIONS: " + "; ".join(violations))
    for p in silos + [api_proc]:
        p.kill(signal.SIGTERM)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
