#!/usr/bin/env python3
"""An external agent's worker with only the standard library (docs/api.md, "External agents").

  AGENTS_URL=http://127.0.0.1:8080 AGENTS_API_KEY=... python3 examples/worker.py my-agent
  (or AGENTS_TOKEN=<bearer token>, or AGENTS_USER / AGENTS_PASSWORD to log in)
Leases the agent's tasks, runs handle() on each while renewing the lease, and reports the result.
"""
import json, os, sys, threading, time, urllib.error, urllib.request

BASE = os.environ.get("AGENTS_URL", "http://127.0.0.1:8080").rstrip("/")
AGENT = sys.argv[1] if len(sys.argv) > 1 else os.environ["AGENTS_AGENT"]
LEASE_SECONDS = 30
HEADERS = {"Content-Type": "application/json"}


def call(path, body=None):
    """POST (or GET without a body); returns (status, json). Backs off on 429/503 as Retry-After says."""
    while True:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(BASE + path, data=data, headers=HEADERS, method="GET" if body is None else "POST")
        try:
            with urllib.request.urlopen(req, timeout=LEASE_SECONDS + 10) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as e:
            if e.code in (429, 503):
                time.sleep(float(e.headers.get("Retry-After") or 1))
                continue
            return e.code, json.loads(e.read() or b"null")


def handle(skill, payload, progress):
    """The agent's work: here an echo, like the cluster's own echo skill."""
    progress("working", 50)
    if skill != "echo":
        raise ValueError(f"this worker cannot run skill {skill!r}")
    return payload


def run(task):
    path, token, done = f"/api/tasks/{task['taskId']}", task["leaseToken"], threading.Event()

    def renew():  # keep the lease while handle() runs; a 409 means lost or cancelled
        while not done.wait(LEASE_SECONDS / 3):
            if call(path + "/lease:renew", {"leaseToken": token, "leaseSeconds": LEASE_SECONDS})[0] == 409:
                return

    threading.Thread(target=renew, daemon=True).start()
    progress = lambda message, percent=None: call(path + "/progress", {"leaseToken": token, "message": message, "percent": percent})
    try:
        result = handle(task["skill"], task["input"], progress)
        status, answer = call(path + "/complete", {"leaseToken": token, "result": result})
    except Exception as e:  # a permanent failure; raise a transient one with "transient": True instead
        status, answer = call(path + "/fail", {"leaseToken": token, "code": "worker.error", "message": str(e), "transient": False})
    finally:
        done.set()
    print(f"{task['taskId']} attempt {task['attempt']}: {status} {answer.get('state') or answer.get('code')}", flush=True)


def main():
    if os.environ.get("AGENTS_API_KEY"):
        HEADERS["X-Api-Key"] = os.environ["AGENTS_API_KEY"]
    elif os.environ.get("AGENTS_TOKEN"):
        HEADERS["Authorization"] = "Bearer " + os.environ["AGENTS_TOKEN"]
    else:
        status, login = call("/api/auth/login", {"username": os.environ["AGENTS_USER"], "password": os.environ["AGENTS_PASSWORD"]})
        if status != 200:
            sys.exit(f"login failed: {status} {login}")
        HEADERS["Authorization"] = "Bearer " + login["accessToken"]
    limit = int(os.environ.get("AGENTS_MAX_TASKS", "0"))  # stop after this many tasks (0: run forever)
    handled = 0
    while not limit or handled < limit:
        status, leased = call(f"/api/agents/{AGENT}/leases", {"max": 4, "waitSeconds": 20, "leaseSeconds": LEASE_SECONDS})
        if 400 <= status < 500:  # forbidden, unknown or hosted agent, bad request: retrying will not help
            sys.exit(f"lease refused: {status} {leased}")
        if status != 200:
            print(f"lease failed: {status} {leased}", file=sys.stderr, flush=True)
            time.sleep(5)
            continue
        for task in leased["tasks"]:
            run(task)
            handled += 1


if __name__ == "__main__":
    main()
