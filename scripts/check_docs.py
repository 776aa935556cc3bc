#!/usr/bin/env python3
"""Every curl in the docs runs as written against the API of `dotnet run --project Client.Api`.

usage: check_docs.py API_DLL WORK_DIR CHECKS_FILE [DOC ...]

Starts the API the way `dotnet run --project Client.Api` does (Development environment, embedded
silo, in-memory storage) on a free 127.0.0.1 port, with the `local` LLM provider of the hosted-agent
walk-through pointed at the scripted OpenAI-compatible endpoint (scripts/fake_llm.py). Then runs
every ```bash block that calls curl, in document order, in one shell (so TOKEN, CID, … carry
from block to block as they would for a reader), with only `localhost:8080` rewritten to the port.
Lines that start the API (`dotnet run`) or export its settings are applied to the started API
instead of being run. Every curl is logged with its status; a block passes when all its calls
answer below 400 and nothing failed to connect. One PASS/FAIL line per block goes to CHECKS_FILE.
Streams (`curl -N`) are cut after a few seconds, which is how a reader would stop them.
"""
import os, re, socket, subprocess, sys, time, urllib.request

DEFAULT_DOCS = ["README.md", "docs/api.md", "docs/security.md"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def blocks(path):
    text = open(path, encoding="utf-8").read()
    for m in re.finditer(r"```(?:bash|sh|shell)\n(.*?)```", text, re.S):
        if "curl" in m.group(1):
            yield text[: m.start()].count("\n") + 1, m.group(1)


def wait_ready(url, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return True
        except Exception:
            time.sleep(0.5)
    return False


def main():
    api_dll, work, checks = sys.argv[1], sys.argv[2], sys.argv[3]
    docs = sys.argv[4:] or DEFAULT_DOCS
    os.makedirs(work, exist_ok=True)
    found = [(doc, line, body) for doc in docs for line, body in blocks(doc)]

    llm_port, api_port = free_port(), free_port()
    env = dict(os.environ, ASPNETCORE_ENVIRONMENT="Development", Urls=f"http://127.0.0.1:{api_port}",
               Orleans__ManagementPort=str(free_port()))
    for _, _, body in found:  # settings a block exports before `dotnet run`
        for name, value in re.findall(r"^export (\w+)=(\S+)$", body, re.M):
            env[name] = re.sub(r"https?://(127\.0\.0\.1|localhost):\d+", f"http://127.0.0.1:{llm_port}", value)
    for name in [k for k in env if k.startswith("ConnectionStrings__")]:
        del env[name]  # the reader's `dotnet run` has none of the test run's settings

    def check(ok, name, why=""):
        with open(checks, "a") as f:
            f.write(f"PASS {name}\n" if ok else f"FAIL {name}: {why}\n")
        if not ok:
            print(f"FAIL {name}: {why}", file=sys.stderr)

    here = os.path.dirname(os.path.abspath(__file__))
    llm = subprocess.Popen([sys.executable, os.path.join(here, "fake_llm.py"), str(llm_port)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Each document is read on its own, from a fresh `dotnet run` (in-memory state).
        for doc in docs:
            run_doc(doc, [(i, line, body) for i, (d, line, body) in enumerate(found) if d == doc],
                    api_dll, os.path.join(work, doc.replace("/", "_")), env, check)
    finally:
        llm.terminate()


def run_doc(doc, found, api_dll, work, env, check):
    os.makedirs(work, exist_ok=True)
    api_port = int(env["Urls"].rsplit(":", 1)[1])
    api_log = open(os.path.join(work, "api.log"), "w")
    api = subprocess.Popen(["dotnet", api_dll], cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(api_dll)))),
                           env=env, stdout=api_log, stderr=subprocess.STDOUT)
    try:
        if not wait_ready(f"http://127.0.0.1:{api_port}/health/ready", 120):
            check(False, f"docs: the API of `dotnet run --project Client.Api` starts for {doc}", f"see {work}/api.log")
            return
        log = os.path.join(work, "curl.log")
        script = [
            "set -u",
            # Every call is logged as 'BLOCK n STATUS METHOD URL'; status 000 = no connection/timeout.
            f'curl() {{ local cap=(); for a in "$@"; do [[ $a == -*N* && $a != --* ]] && cap=(--max-time 4); done; '
            f'command curl --max-time 30 "${{cap[@]}}" -w "%{{stderr}}BLOCK $BLOCK %{{http_code}} %{{method}} %{{url_effective}}\\n" "$@" 2>>"{log}"; return 0; }}',
        ]
        for i, line, body in found:
            lines = [l for l in body.replace("\\\n", " ").splitlines()
                     if not re.match(r"\s*(export \w+=|dotnet run\b)", l)]
            # A worker runs until the reader stops it: give it a few seconds.
            lines = [re.sub(r"^(.*?)(python3 examples/)", r"\1timeout 8 \2", l) for l in lines]
            code = "\n".join(lines).replace("localhost:8080", f"127.0.0.1:{api_port}")
            script += [f"BLOCK={i}", code]
        with open(os.path.join(work, "docs.sh"), "w") as f:
            f.write("\n".join(script) + "\n")
        out = subprocess.run(["bash", os.path.join(work, "docs.sh")], capture_output=True, text=True, timeout=600)
        with open(os.path.join(work, "docs.out"), "w") as f:
            f.write(out.stdout + out.stderr)
        calls = {}
        for entry in open(log, encoding="utf-8", errors="replace") if os.path.exists(log) else []:
            m = re.match(r"BLOCK (\d+) (\d{3}) (\S+) (\S+)", entry)
            if m:
                calls.setdefault(int(m.group(1)), []).append((int(m.group(2)), m.group(3), m.group(4)))
        for i, line, _ in found:
            made = calls.get(i, [])
            # 000 on a stream is the reader's Ctrl-C after --max-time; any other 000 is a failure.
            bad = [c for c in made if c[0] >= 400 or (c[0] == 0 and "/events" not in c[2] and "/stream" not in c[2])]
            name = f"docs: curl examples at {doc}:{line} answer below 400"
            if not made:
                check(False, name, "no curl ran (the block failed before it; see " + work + "/docs.out)")
            else:
                check(not bad, name, "; ".join(f"{s} {m} {u.split(str(api_port), 1)[-1]}" for s, m, u in bad))
    finally:
        api.terminate()
        try:
            api.wait(20)
        except subprocess.TimeoutExpired:
            api.kill()


if __name__ == "__main__":
    main()
