"""Hosted-agent and key cases of scripts/chaos_driver.py (python3 standard library only).

Chat: conversations with a hosted agent on the scripted LLM (scripts/fake_llm.py). Used twice: a
plain agent (chaos-chat) and a delegating one (chaos-lead, tool agent:chaos-mid, whose own tool
agent:chaos-tail is always refused: the silos run with Conversations:MaxDelegationDepth 1).
check_spend: an agent's usage today equals the sum over its completed turns, never more, and less
by at most one turn per conversation loop per crash (the turn is stored before it is counted).
check_delegation: every completed lead turn names the chaos-mid conversation and turn it
delegated to; that turn asked its question once and was refused going deeper (the lineage held).
WorkerKeys: API keys scoped to agents keep their scope through the faults; revoked ones stay revoked.
"""
import re
import threading
import time
import urllib.parse

from chaos_http import Api

OWNER = "admin"
DEPTH_REFUSED = "tool error agent.delegation_depth"


class Chat:
    """Loops that each send a message, wait for its turn to end, and send the next. Every message
    carries an Idempotency-Key (the turn's), so a resend after a 5xx finds the first turn."""

    TERMINAL = {"completed", "failed", "cancelled"}

    def __init__(self, api, agent="chaos-chat", tools=None):
        self.api, self.agent, self.tools = api, agent, tools
        self.lock = threading.Lock()
        self.acked = {}  # (conversation id, turn id) -> message content
        self.cids = []
        self.sent = 0
        self.stop = threading.Event()

    def setup(self, conversations):
        register(self.api, self.agent, self.tools)
        self.cids = [self.api.must("POST", f"/api/agents/{self.agent}/conversations", ok=(200, 201))["id"] for _ in range(conversations)]
        return self.cids

    def pages(self, cid):
        """(status, every turn as the API shows it), following the pages (oldest first, 100 a page)."""
        turns, cursor = [], None
        while True:
            path = f"/api/conversations/{cid}?limit=100" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
            status, payload, _ = self.api.call("GET", path, timeout=20)
            if status != 200:
                return status, turns
            turns += payload.get("turns", [])
            cursor = payload.get("nextCursor")
            if not cursor:
                return status, turns

    def turns(self, cid):
        status, turns = self.pages(cid)
        return status, {str(t.get("id")): str(t.get("state")).lower() for t in turns}

    def loop(self, cid, every):
        n = 0
        while not self.stop.is_set():
            n += 1
            status, payload = 0, None
            content = f"{self.agent} {cid} m{n}"
            while not self.stop.is_set():
                with self.lock:
                    self.sent += 1
                status, payload, _ = self.api.call("POST", f"/api/conversations/{cid}/messages", {"content": content}, key=f"{cid}-m{n}")
                if 200 <= status < 300 or (400 <= status < 500 and status != 429):
                    break
                time.sleep(1)
            if not 200 <= status < 300:
                continue
            turn = str(payload.get("turnId"))
            with self.lock:
                self.acked[(cid, turn)] = content
            deadline = time.time() + 60
            while time.time() < deadline and not self.stop.wait(1):
                if self.turns(cid)[1].get(turn) in self.TERMINAL:
                    break
            self.stop.wait(every)


def register(api, agent, tools=None):
    body = {"id": agent, "name": agent, "capabilities": ["chat"], "model": {"provider": "fake"}, "instructions": "Answer briefly."}
    if tools:
        body["tools"] = tools
    api.must("POST", "/api/agents", body, ok=(200, 201, 409))


def setup_delegation(api, conversations):
    """chaos-lead asks chaos-mid, which may not ask chaos-tail (depth 1): returns the lead's Chat."""
    register(api, "chaos-tail")
    register(api, "chaos-mid", ["agent:chaos-tail"])
    lead = Chat(api, "chaos-lead", ["agent:chaos-mid"])
    lead.setup(conversations)
    return lead


def conversations_of(api, agent):
    """Ids of the driver's user's conversations with an agent (its index), or None when unreadable."""
    ids, cursor = [], None
    while True:
        path = f"/api/agents/{agent}/conversations?limit=100" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
        status, payload, _ = api.call("GET", path, timeout=20)
        if status != 200:
            return None
        ids += [c["id"] for c in payload.get("items", [])]
        cursor = payload.get("nextCursor")
        if not cursor:
            return ids


def crashes(faults, unplanned):
    """Faults that can cut a turn between its stored completion and its spend record."""
    return sum(3 if f["kind"] == "rolling" else 1 for f in faults if f["kind"] in ("kill", "pg", "redis", "rolling")) + len(unplanned)


def check_spend(api, turns_by_agent, loops, bound_crashes, violations):
    """Per agent: usage today vs. the sum over its completed turns. Returns the summary part."""
    parts, all_completed = [], 0
    for agent, turns in turns_by_agent.items():
        done = [t for t in turns if str(t.get("state")).lower() == "completed"]
        all_completed += len(done)
        want_tokens = sum((t.get("usage") or {}).get("totalTokens", 0) for t in done)
        status, usage, _ = api.call("GET", f"/api/agents/{agent}/usage", timeout=20)
        if status != 200:
            violations.append(f"GET /api/agents/{agent}/usage answered {status}")
            continue
        got_turns, got_tokens = usage.get("turns", 0), usage.get("tokens", 0)
        under, bound = len(done) - got_turns, loops[agent] * bound_crashes
        parts.append(f"{agent} {got_turns}/{len(done)} turns {got_tokens}/{want_tokens} tokens")
        if got_turns > len(done) or got_tokens > want_tokens:
            violations.append(f"{agent}'s usage counts more than its completed turns: {got_turns} turns {got_tokens} tokens "
                              f"for {len(done)} turns {want_tokens} tokens (double-counted)")
        elif under > bound:
            violations.append(f"{agent}'s usage misses {under} completed turns, above the bound {bound} "
                              f"({loops[agent]} conversation loops x {bound_crashes} crashes)")
        elif under == 0 and got_tokens != want_tokens:
            violations.append(f"{agent}'s usage counts every turn but {got_tokens} tokens, not {want_tokens}")
    status, usage, _ = api.call("GET", "/api/usage", timeout=20)
    user_turns = usage.get("turns", 0) if status == 200 else -1
    if user_turns > all_completed:
        violations.append(f"the user's usage counts {user_turns} turns for {all_completed} completed ones (double-counted)")
    return f"spend (counted/completed) {', '.join(parts)}, user {user_turns}/{all_completed} turns"


def check_delegation(api, lead, violations):
    """Every completed lead turn names the chaos-mid turn it delegated to; that turn asked the lead's
    question (once: no second conversation for one question) and was refused going deeper, so
    chaos-tail has no conversation. Returns (summary part, chaos-mid's turns for the spend check)."""
    mids = {}  # conversation id -> (status, turns)

    def mid(cid):
        if cid not in mids:
            mids[cid] = lead.pages(cid)
        return mids[cid]

    completed = named = refused = errors = 0
    named_by = {}
    for cid in lead.cids:
        for t in lead.pages(cid)[1]:
            if str(t.get("state")).lower() != "completed":
                continue
            completed += 1
            m = re.fullmatch(r"delegated to (\S+) turn (\S+)", t.get("reply") or "")
            if not m:
                errors += 1  # a tool error the model saw (a timeout, a fault): the turn still ended
                if "delegation_" in (t.get("reply") or ""):
                    violations.append(f"lead turn {cid}/{t['id']} was refused delegating one level deep: {t.get('reply')}")
                continue
            named += 1
            target, turn_id = m.groups()
            named_by.setdefault(target, []).append(f"{cid}/{t['id']}")
            status, turns = mid(target)
            asked = next((x for x in turns if str(x.get("id")) == turn_id), None)
            if status != 200 or asked is None:
                violations.append(f"lead turn {cid}/{t['id']} names {target} turn {turn_id}, which answers {status}")
            elif asked.get("content") != "Q: " + t.get("content", ""):
                violations.append(f"lead turn {cid}/{t['id']} names {target} turn {turn_id}, which asked {asked.get('content')!r}")
            elif (asked.get("reply") or "") == DEPTH_REFUSED:
                refused += 1
    twice = {k: v for k, v in named_by.items() if len(v) > 1}
    if twice:
        violations.append(f"{len(twice)} chaos-mid conversations named by more than one lead turn (e.g. {list(twice.items())[:2]})")
    listed = conversations_of(api, "chaos-mid")
    if listed is None:
        violations.append("chaos-mid's conversations could not be listed")
        listed = []
    unlisted = [c for c in named_by if c not in listed]
    if unlisted:
        violations.append(f"{len(unlisted)} delegate conversations missing from chaos-mid's list (e.g. {unlisted[:3]})")
    questions = {}
    for cid in set(listed) | set(named_by):
        turns = mid(cid)[1]
        if len(turns) > 1:
            violations.append(f"delegate conversation {cid} has {len(turns)} turns (a retried delegation asked again)")
        for t in turns[:1]:
            questions.setdefault(t.get("content"), []).append(cid)
    asked_twice = {q: c for q, c in questions.items() if len(c) > 1}
    if asked_twice:
        violations.append(f"{len(asked_twice)} questions delegated more than once (e.g. {list(asked_twice.items())[:2]})")
    tail = conversations_of(api, "chaos-tail")
    if tail:
        violations.append(f"chaos-tail has {len(tail)} conversations: the depth bound did not hold (lineage lost?)")
    mid_turns = [t for cid in set(listed) | set(named_by) for t in mid(cid)[1]]
    part = (f"delegation {completed} lead turns completed, {named} delegated ({len(set(listed) | set(named_by))} delegate "
            f"conversations, {refused} refused one level deeper), {errors} tool errors, {len(tail or [])} beyond the depth")
    return part, mid_turns


class WorkerKeys:
    """Worker keys minted before the faults: k1 acts for chaos-wk1 (leases and completes its tasks,
    heartbeats it), k2 (for chaos-wk2) is revoked before the faults, k3 (for chaos-wk2) halfway
    through. A probe loop checks every 2 s that k1 is refused chaos-wk2 (403 auth.agent_out_of_scope)
    and the revoked keys are refused (401); 5xx and connection errors during faults are counted only."""

    AGENTS = ("chaos-wk1", "chaos-wk2")

    def __init__(self, base):
        self.base = base
        self.keys, self.ids = {}, {}
        self.lock = threading.Lock()
        self.probes, self.unavailable = 0, 0
        self.breaches = []  # (what, status, code)
        self.revoke_k3_at = None
        self.stop = threading.Event()

    def setup(self, admin, revoke_k3_after):
        for agent in self.AGENTS:
            admin.must("POST", "/api/agents", {"id": agent, "name": agent, "capabilities": [agent], "kind": "external",
                                               "maxConcurrentTasks": 16}, ok=(200, 201, 409))
        for name, agent in (("k1", "chaos-wk1"), ("k2", "chaos-wk2"), ("k3", "chaos-wk2")):
            created = admin.must("POST", "/api/api-keys", {"name": f"chaos {name}", "roles": [], "agents": [agent], "tier": "chaos"},
                                 ok=(200, 201))
            self.keys[name], self.ids[name] = created["key"], created["view"]["id"]
        admin.must("DELETE", f"/api/api-keys/{self.ids['k2']}", ok=(200, 204))
        self.revoke_k3_at = time.time() + revoke_k3_after
        return Api(self.base, api_key=self.keys["k1"])

    def _expect(self, what, status, payload, want, code=None):
        """Counts a probe; a wrong 2xx/4xx answer (or a 500) is a breach, a 503 or no answer is a fault's."""
        got = payload.get("code") if isinstance(payload, dict) else None
        with self.lock:
            self.probes += 1
            if status == 0 or status in (502, 503, 504):
                self.unavailable += 1
            elif status != want or (code and got != code):
                self.breaches.append((what, status, got))

    def probe_once(self, admin, k3_revoked):
        k1, k2, k3 = (Api(self.base, api_key=self.keys[k]) for k in ("k1", "k2", "k3"))
        lease = {"max": 1, "waitSeconds": 0}
        s, p, _ = k1.call("POST", "/api/agents/chaos-wk2/leases", lease, timeout=20)
        self._expect("k1 leasing chaos-wk2", s, p, 403, "auth.agent_out_of_scope")
        s, p, _ = k1.call("POST", "/api/agents/chaos-wk1/heartbeat", {"activeTasks": 0}, timeout=20)
        self._expect("k1 heartbeating chaos-wk1", s, p, 200)
        s, p, _ = k2.call("POST", "/api/agents/chaos-wk2/leases", lease, timeout=20)
        self._expect("revoked k2 leasing chaos-wk2", s, p, 401)
        if k3_revoked:
            s, p, _ = k3.call("POST", "/api/agents/chaos-wk2/heartbeat", {"activeTasks": 0}, timeout=20)
            self._expect("k3 after its revocation", s, p, 401)

    def loop(self, admin):
        k3_revoked = False
        while not self.stop.wait(2):
            if not k3_revoked and time.time() >= self.revoke_k3_at:
                admin.must("DELETE", f"/api/api-keys/{self.ids['k3']}", ok=(200, 204), patience=300)
                k3_revoked = True
            self.probe_once(admin, k3_revoked)

    def check(self, admin, foreign_task, violations):
        """After the faults: the same answers once more, a foreign task, the rest of the API, and the stored views."""
        k1 = Api(self.base, api_key=self.keys["k1"])
        s, p, _ = k1.call("POST", "/api/agents/chaos-wk1/leases", {"max": 1, "waitSeconds": 0}, timeout=20)
        self._expect("k1 leasing chaos-wk1 at the end", s, p, 200)
        self.probe_once(admin, True)
        if foreign_task:
            s, p, _ = k1.call("POST", f"/api/tasks/{foreign_task}/complete", {"leaseToken": "x", "result": {}}, timeout=20)
            self._expect("k1 completing a chaos-ext task", s, p, 403, "auth.agent_out_of_scope")
        s, p, _ = k1.call("GET", "/api/agents", timeout=20)
        self._expect("k1 listing agents (no roles)", s, p, 403)
        status, page, _ = admin.call("GET", "/api/api-keys", timeout=20)
        views = {v["id"]: v for v in (page or {}).get("items", [])} if status == 200 else {}
        for name, agent, revoked in (("k1", "chaos-wk1", False), ("k2", "chaos-wk2", True), ("k3", "chaos-wk2", True)):
            v = views.get(self.ids[name])
            if v is None or v.get("agents") != [agent] or (v.get("revokedAt") is not None) != revoked:
                violations.append(f"key {name} reads {v} (want agents [{agent}], {'revoked' if revoked else 'not revoked'})")
        if self.breaches:
            kinds = {}
            for what, s, code in self.breaches:
                kinds[f"{what} -> {s} {code}"] = kinds.get(f"{what} -> {s} {code}", 0) + 1
            violations.append(f"{len(self.breaches)} worker-key answers out of scope: {kinds}")
        return (f"worker keys {self.probes} probes, {len(self.breaches)} out of scope, {self.unavailable} unavailable "
                f"(k2 revoked before the faults, k3 halfway)")


def check_task_logs(api, finished, patience, violations):
    """Every task that ended must be listed in its agent's task log with its final state (the
    log row of a finish is one of the task's follow-ups, retried by the agent's watchdog until
    stored). finished: task id -> (agent id, state). Waits up to patience seconds for stragglers."""
    deadline = time.time() + patience
    while True:
        listed = {}
        for agent in sorted({a for a, _ in finished.values() if a}):
            cursor = None
            while True:
                path = f"/api/agents/{urllib.parse.quote(agent)}/tasks?limit=200" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
                status, payload, _ = api.call("GET", path, timeout=20)
                if status != 200:
                    break
                listed.update({t["id"]: str(t.get("state")).lower() for t in payload.get("items", [])})
                cursor = payload.get("nextCursor")
                if not cursor:
                    break
        wrong = {i: (s, listed.get(i)) for i, (_, s) in finished.items() if listed.get(i) != s}
        if not wrong or time.time() > deadline:
            break
        time.sleep(3)
    if wrong:
        samples = [f"{i}={s} listed {l}" for i, (s, l) in sorted(wrong.items())[:3]]
        violations.append(f"{len(wrong)} finished tasks not listed with their final state in their agent's task log (e.g. {', '.join(samples)})")
    return f"task logs {len(finished) - len(wrong)}/{len(finished)} finished tasks listed with their final state"
