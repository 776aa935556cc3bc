#!/usr/bin/env python3
"""Chaos driver for scripts/chaos.sh (python3 standard library only).

Starts the silos and the API from a launch spec (JSON written by chaos.sh) and drives, through the
HTTP API as a well-behaved client (same Idempotency-Key resent after 1 s on a 5xx or a connection
error), these kinds of work: echo tasks, runs of a diamond workflow, swarm consensus rounds,
http.request tasks whose effect lands in a loopback sink run here, particle swarm optimisations, tasks of an external agent
leased by a worker loop here (and of another one, leased with a worker API key), and conversation
turns of hosted agents, one of which delegates (chaos_cases.py). Meanwhile it injects faults
(chaos_faults.py): SIGKILL of a random silo, PostgreSQL and Redis restarts, the API SIGKILLed, a SIGTERM rolling restart. Then it polls
every acknowledged id and checks the promises: every acknowledged task, run and round reaches a
terminal state within (watchdog interval + 1 min) of the last fault (an optimisation completed), none answers 404, none stays
queued/running; every succeeded http.request task's effect reached the sink, and every repeated
delivery carried the same key (so a receiver de-duplicating by key applies it exactly once);
each hosted agent's usage counts its completed turns once (never more, fewer only within the crash
bound); delegations name their delegate turn and the depth bound held; worker keys kept their scope
and revoked keys stayed revoked.
Prints one summary line; exit 1 on any violation.
"""
import argparse
import json
import queue
import random
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from chaos_cases import Chat, WorkerKeys, check_delegation, check_spend, check_task_logs, crashes, setup_delegation
from chaos_faults import Cluster, log
from chaos_http import Api, iso_seconds, percentile

TERMINAL_TASK = {"succeeded", "failed", "cancelled", "dead-lettered", "dead_lettered"}
# kind -> (POST path, id field, GET path, state field, terminal states, good states)
KINDS = {
    "task": ("/api/tasks", "id", "/api/tasks/{}", "state", TERMINAL_TASK, {"succeeded"}),
    "run": ("/api/workflows/chaos-diamond/runs", "runId", "/api/runs/{}", "status", {"succeeded", "failed", "cancelled"}, {"succeeded"}),
    "round": ("/api/swarms/consensus", "id", "/api/swarms/consensus/{}", "status", {"decided", "no-quorum"}, {"decided"}),
    "effect": ("/api/tasks", "id", "/api/tasks/{}", "state", TERMINAL_TASK, {"succeeded"}),
    "leased": ("/api/tasks", "id", "/api/tasks/{}", "state", TERMINAL_TASK, {"succeeded"}),
    "scoped": ("/api/tasks", "id", "/api/tasks/{}", "state", TERMINAL_TASK, {"succeeded"}),
    "optimization": ("/api/swarms/optimizations", "id", "/api/swarms/optimizations/{}", "status", {"completed", "cancelled", "failed"},
                     {"completed"}),
}
LABELS = {"task": "tasks", "run": "runs", "round": "rounds", "effect": "http.request tasks", "leased": "leased tasks",
          "scoped": "worker-key tasks", "optimization": "optimisations"}
GOOD_LABEL = {"round": "decided", "optimization": "completed"}
EXTERNAL = "chaos-ext"


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.acked = {k: {} for k in KINDS}  # kind -> id -> idempotency key
        self.submissions = []  # (kind, first send time, latency to 2xx, sends)
        self.server_errors = 0
        self.internal_errors = 0  # 500s: a fault must surface as 503 + Retry-After, never as an internal error
        self.retry_after_missing = 0
        self.rejected = []  # (kind, status, code) of final non-2xx answers
        self.codes = {}


def submit(api, stats, kind, body, key, patience):
    """A well-behaved client: one key, resent after 1 s on 5xx/connection errors, until a 2xx."""
    path, id_field = KINDS[kind][0], KINDS[kind][1]
    start = time.time()
    sends = 0
    while True:
        sends += 1
        status, payload, headers = api.call("POST", path, body, key=key)
        if 200 <= status < 300:
            with stats.lock:
                stats.acked[kind][payload[id_field]] = key
                stats.submissions.append((kind, start, time.time() - start, sends))
            return
        code = payload.get("code") if isinstance(payload, dict) else None
        with stats.lock:
            stats.codes[f"{status}:{code}"] = stats.codes.get(f"{status}:{code}", 0) + 1
            if status >= 500:
                stats.server_errors += 1
                stats.internal_errors += status == 500
                if status == 503 and not headers.get("Retry-After"):
                    stats.retry_after_missing += 1
        retryable = status == 0 or status >= 500 or status == 429
        if not retryable or time.time() - start > patience:
            with stats.lock:
                stats.rejected.append((kind, status, code))
            return
        time.sleep(1)


class Sink:
    """The receiver of the http.request tasks' effect: counts deliveries per Idempotency-Key."""

    def __init__(self, port):
        self.lock, self.count = threading.Lock(), {}
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key = self.headers.get("Idempotency-Key") or ""
                with sink.lock:
                    sink.count[key] = sink.count.get(key, 0) + 1
                body = b'{"applied":true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class Worker:
    """The external agent's worker: leases tasks, completes them; now and then it 'dies' holding a
    lease (drops the task unreported), so the task must come back after the lease expires."""

    def __init__(self, api, rng, lease_seconds, abandon_share, agent=EXTERNAL):
        self.api, self.rng, self.lease_seconds, self.abandon_share, self.agent = api, rng, lease_seconds, abandon_share, agent
        self.lock = threading.Lock()
        self.leased = self.completed = self.lost = self.abandoned = self.errors = self.denied = 0
        self.stop = threading.Event()

    def loop(self):
        while not self.stop.is_set():
            status, payload, _ = self.api.call("POST", f"/api/agents/{self.agent}/leases",
                                               {"max": 4, "waitSeconds": 5, "leaseSeconds": self.lease_seconds}, timeout=30)
            if status in (401, 403):  # a worker key refused its own agent: it lost its scope
                with self.lock:
                    self.denied += 1
            if status != 200:
                self.stop.wait(1)
                continue
            for task in payload.get("tasks", []):
                with self.lock:
                    self.leased += 1
                if self.rng.random() < self.abandon_share:
                    with self.lock:
                        self.abandoned += 1
                    continue
                self.complete(task)

    def complete(self, task):
        deadline = time.time() + self.lease_seconds
        while time.time() < deadline:
            status, _, _ = self.api.call("POST", f"/api/tasks/{task['taskId']}/complete",
                                         {"leaseToken": task["leaseToken"], "result": {"echo": task["input"]}}, timeout=20)
            with self.lock:
                if status == 200:
                    self.completed += 1
                    return
                if status == 409:  # lease lost or task already ended: drop the work
                    self.lost += 1
                    return
                self.denied += status in (401, 403)
                self.errors += 1
            time.sleep(1)


class Limited:
    """A user in the free tier (10 a minute as a token bucket: burst 10, refill 1 per 6 s) reading
    its own limits twice a second through the faults; the API leases nothing for so small a tier
    (RateLimiting:LeaseDivisor), so admissions may exceed the bucket only by what a crash of the
    bucket's silo forgets: at most RateLimiting:CheckpointEvery - 1 per crash (docs/benchmarks.md)."""

    PER_MINUTE, CHECKPOINT_EVERY = 10, 20

    def __init__(self, base, password):
        self.api, self.password = Api(base), password
        self.admitted, self.refused, self.other = [], 0, 0
        self.stop = threading.Event()

    def setup(self, admin):
        admin.must("POST", "/api/users", {"name": "chaos-free", "password": self.password, "roles": ["analyst"], "tier": "free"},
                   ok=(200, 201, 409))
        self.api.token = self.api.must("POST", "/api/auth/login", {"username": "chaos-free", "password": self.password})["accessToken"]

    def loop(self):
        while not self.stop.wait(0.5):
            status, _, _ = self.api.call("GET", "/api/rate-limits/chaos-free", timeout=10)
            if status == 429:
                self.refused += 1
            elif 200 <= status < 500:  # past the limiter (even a 4xx of the handler was admitted)
                self.admitted.append(time.time())
            else:
                self.other += 1

    def check(self, faults):
        """Largest excess of admissions over the bucket in any span, and the bound it may reach."""
        t = sorted(self.admitted)
        crashes = [f["start"] for f in faults if f["kind"] in ("kill", "pg")] + \
                  [f["start"] + k for f in faults if f["kind"] == "rolling" for k in range(3)]
        worst, worst_bound = 0.0, 0
        for i in range(len(t)):
            for j in range(i, len(t)):
                allowed = self.PER_MINUTE + (t[j] - t[i]) * self.PER_MINUTE / 60 + 1  # +1: client-side timing
                excess = (j - i + 1) - allowed
                bound = (self.CHECKPOINT_EVERY - 1) * sum(1 for c in crashes if t[i] - 60 <= c <= t[j])
                if excess - bound > worst - worst_bound:
                    worst, worst_bound = excess, bound
        return max(0.0, worst), worst_bound


def detection_times(spec, kills):
    """Seconds from each SIGKILL to the last vote that declared the silo dead, read from the
    Redis membership table (kills the restarted silo resolved by itself carry no votes)."""
    import subprocess
    redis = spec.get("redis")
    try:
        out = subprocess.run(["redis-cli", "-p", str(redis["port"]), "HGETALL", redis["key"]],
                             capture_output=True, text=True, timeout=10).stdout
    except Exception:
        return []
    entries = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    ports = {s["name"]: s["env"]["Orleans__SiloPort"] for s in spec["silos"]}
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


def setup(api, args):
    agents = [f"chaos-{i}" for i in range(1, args.agents + 1)]
    for a in agents:
        api.must("POST", "/api/agents", {"id": a, "name": a, "capabilities": ["chaos", "http"], "maxConcurrentTasks": args.slots},
                 ok=(200, 201, 409))
    api.must("POST", "/api/agents", {"id": EXTERNAL, "name": "chaos external", "capabilities": [EXTERNAL], "kind": "external",
                                     "maxConcurrentTasks": args.slots}, ok=(200, 201, 409))
    step = lambda sid, deps: {"id": sid, "capability": "chaos", "skill": "echo", "input": {"delayMs": args.delay_ms // 2, "step": sid},
                              "dependsOn": deps}
    wf = {"id": "chaos-diamond", "name": "chaos diamond", "goal": "survive faults",
          "steps": [step("a", []), step("b", ["a"]), step("c", ["a"]), step("d", ["b", "c"])]}
    api.must("POST", "/api/workflows", wf, ok=(200, 201, 409))
    for t in ("validate", "stage", "activate"):
        api.must("POST", f"/api/workflows/chaos-diamond/{t}", ok=(200, 201, 202, 204, 409))
    return agents


def body_for(kind, i, key, args):
    if kind == "task":
        return {"capability": "chaos", "skill": "echo", "input": {"delayMs": args.delay_ms, "n": i}}
    if kind == "run":
        return {"mode": "production", "input": {"n": i}}
    if kind == "round":
        return {"capability": "chaos", "skill": "echo", "input": {"delayMs": args.delay_ms // 2, "q": i}, "agents": 3, "quorum": 2,
                "deadlineSeconds": 90}
    if kind == "effect":
        return {"capability": "http", "skill": "http.request",
                "input": {"method": "POST", "url": args.sink_url + f"effect/{i}", "headers": {"Idempotency-Key": key}, "body": {"n": i}}}
    if kind == "optimization":
        # Small enough to finish in seconds, long enough (checkpoints every 50 iterations, 2 batches) for a kill to land mid-run.
        return {"function": "sphere", "dimensions": 10, "swarmSize": 40, "iterations": 1000, "seed": i}
    if kind == "scoped":
        return {"capability": "chaos-wk1", "skill": "echo", "input": {"n": i}}
    return {"capability": EXTERNAL, "skill": "echo", "input": {"n": i}}


def schedule(args):
    """(due offset, kind) for every submission, each kind spread evenly over the load."""
    counts = {"task": int(args.duration * args.tasks_per_second), "run": args.runs, "round": args.rounds,
              "effect": args.effects, "leased": args.leased, "scoped": args.scoped,
              "optimization": args.optimizations}
    plan = [(args.duration * i / n, kind, i) for kind, n in counts.items() for i in range(n)]
    return sorted(plan), counts


def window_of(t, faults):
    """The fault kind whose window (start to end + 5 s) holds time t, else 'calm'."""
    hit = [f for f in faults if f["start"] <= t <= f["end"] + 5]
    return hit[-1]["kind"] if hit else "calm"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", required=True)
    ap.add_argument("--pidfile", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--duration", type=float, default=75)
    ap.add_argument("--kill-every", type=float, default=15, help="seconds between faults")
    ap.add_argument("--faults", default="kill", help="comma-separated fault kinds in order, cycled: kill, pg, redis, api, rolling")
    ap.add_argument("--restart-after", type=float, default=5)
    ap.add_argument("--tasks-per-second", type=float, default=6)
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--effects", type=int, default=80)
    ap.add_argument("--leased", type=int, default=80)
    ap.add_argument("--lease-seconds", type=int, default=10)
    ap.add_argument("--scoped", type=int, default=40, help="tasks of chaos-wk1, leased with a worker key")
    ap.add_argument("--optimizations", type=int, default=10, help="particle swarm optimisations, each under its own Idempotency-Key")
    ap.add_argument("--conversations", type=int, default=4)
    ap.add_argument("--lead-conversations", type=int, default=2, help="conversations of the delegating agent")
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
    args.sink_url = f"http://127.0.0.1:{spec['sink']['port']}/"
    sink = Sink(spec["sink"]["port"])
    import subprocess
    llm = subprocess.Popen([sys.executable, spec["llm"]["script"], str(spec["llm"]["port"])], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, start_new_session=True)
    with open(args.pidfile, "a") as f:
        f.write(f"{llm.pid}\n")
    cluster = Cluster(spec, args.pidfile, args.restart_after, rng)
    cluster.start_all()
    log(f"{len(cluster.silos)} silos and the API are up")

    api = Api(spec["api"]["base"])
    api.token = api.must("POST", "/api/auth/login", {"username": "admin", "password": args.password})["accessToken"]
    agents = setup(api, args)

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

    limited = Limited(spec["api"]["base"], args.password + "-free")
    limited.setup(api)
    worker = Worker(api, random.Random(rng.random()), args.lease_seconds, 0.05)
    threads = [threading.Thread(target=heartbeats, daemon=True), threading.Thread(target=token_refresh, daemon=True)]
    threads += [threading.Thread(target=worker.loop, daemon=True) for _ in range(3)]
    threads.append(threading.Thread(target=limited.loop, daemon=True))
    chat = Chat(api)
    threads += [threading.Thread(target=chat.loop, args=(cid, 2), daemon=True) for cid in chat.setup(args.conversations)]
    lead = setup_delegation(api, args.lead_conversations)
    threads += [threading.Thread(target=lead.loop, args=(cid, 2), daemon=True) for cid in lead.cids]
    worker_keys = WorkerKeys(spec["api"]["base"])
    keyed = Worker(worker_keys.setup(api, args.duration / 2), random.Random(rng.random()), args.lease_seconds, 0.0, agent="chaos-wk1")
    threads += [threading.Thread(target=keyed.loop, daemon=True), threading.Thread(target=worker_keys.loop, args=(api,), daemon=True)]
    for t in threads:
        t.start()
    fault_kinds = [k.strip() for k in args.faults.split(",") if k.strip()]
    chaos_thread = threading.Thread(target=cluster.run_schedule, args=(fault_kinds, args.kill_every, load_done))
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
    plan, planned = schedule(args)
    started = time.time()
    for due, kind, i in plan:
        time.sleep(max(0.0, started + due - time.time()))
        key = "chaos-" + uuid.uuid4().hex
        jobs.put((kind, body_for(kind, i, key, args), key))
    for _ in clients:
        jobs.put(None)
    for c in clients:
        c.join()
    log(f"load done after {time.time() - started:.0f} s: " + ", ".join(f"{len(v)} {k}" for k, v in stats.acked.items()))
    load_done.set()
    limited.stop.set()
    chat.stop.set()
    lead.stop.set()
    worker_keys.stop.set()
    chaos_thread.join()
    cluster.ensure_up()
    faults = cluster.faults
    last_fault = max([f["end"] for f in faults] + [started])
    deadline = last_fault + args.watchdog + 60
    log(f"{len(faults)} faults; every process is up; checking until {args.watchdog + 60:.0f} s after the last fault")

    pending = {(k, i) for k, ids in stats.acked.items() for i in ids}
    outcome = {}
    finished_tasks = {}  # task id -> (agent id, final state), for the task log check
    while pending:
        batch = list(pending)
        results = queue.Queue()

        def poll(items):
            for kind, ident in items:
                status, payload, _ = api.call("GET", KINDS[kind][2].format(ident), timeout=20)
                results.put((kind, ident, status, payload))

        pollers = [threading.Thread(target=poll, args=(batch[k::8],)) for k in range(8)]
        for p in pollers:
            p.start()
        for p in pollers:
            p.join()
        while not results.empty():
            kind, ident, status, payload = results.get()
            if status == 200:
                state = payload.get(KINDS[kind][3])
                outcome[(kind, ident)] = state
                if state in KINDS[kind][4]:
                    pending.discard((kind, ident))
                    if KINDS[kind][0] == "/api/tasks":
                        finished_tasks[ident] = (payload.get("agentId"), str(state).lower())
            elif status == 404:
                outcome[(kind, ident)] = "404"
            else:
                outcome.setdefault((kind, ident), f"http {status}")
        if time.time() > deadline:
            break
        if pending:
            time.sleep(2)
    # Conversation turns: each acknowledged one must end within the same window.
    acked_turns = {**chat.acked, **lead.acked}
    turns_pending = set(acked_turns)
    turn_state = {}
    while turns_pending:
        for cid in {c for c, _ in turns_pending}:
            status, states = chat.turns(cid)
            for key in [k for k in turns_pending if k[0] == cid]:
                turn_state[key] = "404" if status == 404 else states.get(key[1], f"http {status}" if status != 200 else "missing")
                if turn_state[key] in Chat.TERMINAL:
                    turns_pending.discard(key)
        if time.time() > deadline:
            break
        if turns_pending:
            time.sleep(2)
    check_end = time.time()
    stop.set()
    worker.stop.set()
    keyed.stop.set()

    # Figures per work kind.
    violations, parts = [], []
    for kind in KINDS:
        acked = len(stats.acked[kind])
        states = [v for (k, _), v in outcome.items() if k == kind]
        good = sum(1 for v in states if v in KINDS[kind][5])
        lost = sum(1 for v in states if v == "404")
        stuck = sum(1 for (k, i) in pending if k == kind and outcome.get((k, i)) != "404")
        other = acked - good - lost - stuck
        parts.append(f"{LABELS[kind]} {acked}/{planned[kind]} acknowledged, {good} {GOOD_LABEL.get(kind, 'succeeded')}, "
                     f"{other} other terminal, {lost} lost(404), {stuck} stuck")
        if kind == "optimization" and other:
            # Nobody cancels them and sphere cannot fail an evaluation: anything but completed is a run that gave up.
            samples = [f"{i}={v}" for (k, i), v in outcome.items() if k == kind and v in KINDS[kind][4] - KINDS[kind][5]][:3]
            violations.append(f"{other} acknowledged optimisations ended without completing (e.g. {', '.join(samples)})")
        if lost:
            samples = [i for (k, i), v in outcome.items() if k == kind and v == "404"][:3]
            violations.append(f"{lost} acknowledged {kind}s answer 404 (e.g. {', '.join(samples)})")
        if stuck:
            samples = [f"{i}={outcome.get((k, i))}" for (k, i) in sorted(pending) if k == kind and outcome.get((k, i)) != "404"][:3]
            violations.append(f"{stuck} acknowledged {kind}s not terminal {args.watchdog + 60:.0f} s after the last fault "
                              f"(e.g. {', '.join(samples)})")

    # Effects: each succeeded http.request task's key must have reached the sink; repeats are
    # deliveries of the same key (what a receiver de-duplicates), never another task's effect.
    keys = {key: ident for ident, key in stats.acked["effect"].items()}
    with sink.lock:
        delivered = dict(sink.count)
    missing = [i for i, key in stats.acked["effect"].items() if outcome.get(("effect", i)) == "succeeded" and not delivered.get(key)]
    strangers = [k for k in delivered if k not in keys and not k.startswith("chaos-")]
    duplicates = sum(c - 1 for c in delivered.values() if c > 1)
    duplicate_keys = sum(1 for c in delivered.values() if c > 1)
    if missing:
        violations.append(f"{len(missing)} succeeded http.request tasks whose effect never reached the sink (e.g. {missing[:3]})")
    if strangers:
        violations.append(f"{len(strangers)} deliveries without a key the driver issued")
    effects = (f"effects {len(delivered)} keys delivered, {duplicates} duplicate deliveries of {duplicate_keys} keys "
               f"(same key, de-duplicated), {len(missing)} missing")

    turns_ok = sum(1 for v in turn_state.values() if v == "completed")
    turns_lost = sum(1 for k in turns_pending if turn_state.get(k) in ("404", "missing"))
    turns_stuck = len(turns_pending) - turns_lost
    parts.append(f"turns {len(acked_turns)} acknowledged ({chat.sent + lead.sent} sends), {turns_ok} completed, "
                 f"{len(acked_turns) - turns_ok - len(turns_pending)} other terminal, {turns_lost} lost, {turns_stuck} stuck")
    if turns_pending:
        samples = [f"{c}/{t}={turn_state.get((c, t))}" for c, t in sorted(turns_pending)][:3]
        violations.append(f"{len(turns_pending)} acknowledged conversation turns not ended (e.g. {', '.join(samples)})")

    # Delegation and its lineage, then spend: each agent's usage against its completed turns.
    def guarded(name, check, default):
        try:
            return check()
        except Exception as e:  # a broken check is a failed run, never a lost summary
            violations.append(f"the {name} check failed: {e!r}")
            return default

    delegation, mid_turns = guarded("delegation", lambda: check_delegation(api, lead, violations), ("delegation n/a", []))
    turns_of = lambda c: [t for cid in c.cids for t in c.pages(cid)[1]]
    spend = guarded("spend", lambda: check_spend(
        api, {"chaos-chat": turns_of(chat), "chaos-lead": turns_of(lead), "chaos-mid": mid_turns},
        {"chaos-chat": args.conversations, "chaos-lead": args.lead_conversations, "chaos-mid": args.lead_conversations},
        crashes(faults, cluster.unplanned), violations), "spend n/a")
    task_logs = guarded("task log", lambda: check_task_logs(api, finished_tasks, args.watchdog + 30, violations), "task logs n/a")
    foreign = next(iter(stats.acked["leased"]), None)
    scoped_keys = guarded("worker-key", lambda: worker_keys.check(api, foreign, violations), "worker keys n/a")
    if keyed.denied:
        violations.append(f"the worker key was refused its own agent {keyed.denied} times")
    excess, bound = limited.check(faults)
    if excess > bound:
        violations.append(f"the free-tier user got {excess:.0f} admissions over its bucket, above the crash bound {bound}")
    limits = (f"rate-limited user {len(limited.admitted)} admitted {limited.refused} refused (429) {limited.other} other, "
              f"excess over the bucket {excess:.0f} (crash bound {bound})")

    if stats.rejected:
        codes = {}
        for kind, status, code in stats.rejected:
            codes[f"{kind} {status} {code}"] = codes.get(f"{kind} {status} {code}", 0) + 1
        violations.append(f"{len(stats.rejected)} submissions never acknowledged: {codes}")
    if stats.retry_after_missing:
        violations.append(f"{stats.retry_after_missing} answers 503 without Retry-After")
    if stats.internal_errors:
        violations.append(f"{stats.internal_errors} answers 500 (a fault must answer 503 with Retry-After)")
    if not faults or not stats.acked["task"]:
        violations.append("the run did not exercise anything (no faults or no tasks)")

    # Client-side figures, overall and per fault window (submissions first sent during a fault
    # or within 5 s after it).
    subs = stats.submissions
    resend = lambda xs: 100.0 * sum(1 for x in xs if x[3] > 1) / max(1, len(xs))
    lat = lambda xs, p: 1000 * percentile([x[2] for x in xs], p)
    by_window = {}
    for s in subs:
        by_window.setdefault(window_of(s[1], faults), []).append(s)
    counts = {}
    for f in faults:
        counts[f["kind"]] = counts.get(f["kind"], 0) + 1
    windows = "; ".join(f"{w} x{counts.get(w, '-')}: {len(xs)} sent, resend {resend(xs):.0f}%, p50 {lat(xs, 50):.0f} ms p99 {lat(xs, 99):.0f} ms"
                        for w, xs in sorted(by_window.items()))
    kills = [(f["killed_at"], f["detail"]) for f in faults if f["kind"] == "kill"]
    detections = detection_times(spec, kills)
    detected = (f"p50 {percentile(detections, 50):.1f} s max {max(detections):.1f} s ({len(detections)} by votes)"
                if detections else "n/a")
    summary = (f"{'; '.join(parts)}; {task_logs}; {effects}; {limits}; leases {worker.leased} taken {worker.completed} completed "
               f"{worker.abandoned} abandoned {worker.lost} lost; {delegation}; {spend}; {scoped_keys}, "
               f"worker-key leases {keyed.leased} taken {keyed.completed} completed {keyed.denied} refused; "
               f"resend share {resend(subs):.1f}% ({stats.server_errors} 5xx answers: {stats.internal_errors} 500, {stats.retry_after_missing} 503 without Retry-After), "
               f"submit p50 {lat(subs, 50):.0f} ms p99 {lat(subs, 99):.0f} ms; "
               f"faults {', '.join(f'{v} {k}' for k, v in counts.items())}; {len(cluster.unplanned)} unasked exits; "
               f"killed silo declared dead after {detected}; settled {max(0.0, check_end - last_fault):.0f} s after the last fault")
    log("5xx answers by status:code " + json.dumps(stats.codes))
    log("per fault window: " + windows)
    if cluster.unplanned:
        log("unasked exits: " + ", ".join(f"{n} ({rc})" for _, n, rc in cluster.unplanned))
    print(f"{args.name}: {summary}")
    print(f"{args.name} windows: {windows}")
    if violations:
        print(f"{args.name} VIOLATIONS: " + "; ".join(violations))
    cluster.shutdown()
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
