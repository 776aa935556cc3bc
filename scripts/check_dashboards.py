#!/usr/bin/env python3
"""Evaluates every Grafana panel query (and variable query) against a live Prometheus.

usage: check_dashboards.py PROMETHEUS_URL CHECKS_FILE DASHBOARD.json... [--rules RULES.yml]

A panel passes when its PromQL parses and returns at least one series with a finite value:
a panel that would show nothing fails. Alert expressions only have to evaluate (a healthy
cluster fires none). Appends "PASS name" / "FAIL name: why" lines to CHECKS_FILE.
"""
import json, math, re, sys, urllib.parse, urllib.request

# Template variables as Grafana expands them when "All" is selected; $__rate_interval as a short window.
SUBSTITUTIONS = {"$namespace": ".*", "$silo": ".*", "$__rate_interval": "30s", "$__interval": "5s", "$__range": "1m"}


def substitute(expr):
    for name in sorted(SUBSTITUTIONS, key=len, reverse=True):
        expr = expr.replace("${" + name[1:] + "}", SUBSTITUTIONS[name]).replace(name, SUBSTITUTIONS[name])
    left = re.findall(r"\$\{?\w+", expr)
    if left:
        raise ValueError("unknown template variable(s) " + ", ".join(left))
    return expr


def query(base, expr):
    url = base + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            body = json.load(r)
    except urllib.error.HTTPError as e:
        body = json.load(e)
    if body.get("status") != "success":
        raise ValueError(f"{body.get('errorType')}: {body.get('error')}")
    return body["data"]["result"]


def finite(series):
    value = series.get("value", [0, "NaN"])[1]
    return not (math.isnan(float(value)) or math.isinf(float(value)))


def evaluate(base, expr, patience=45.0):
    """None when the query returns a finite value. A query that parses but has no data yet is
    asked again for up to `patience` seconds: on a loaded machine the traffic that feeds a rate()
    or a histogram can take a while to reach Prometheus."""
    import time
    deadline = time.monotonic() + patience
    while True:
        try:
            if [s for s in query(base, substitute(expr)) if finite(s)]:
                return None
        except ValueError as e:
            return f"{e}: {expr}"
        if time.monotonic() >= deadline:
            return f"no series with a value: {expr}"
        time.sleep(3)


def panels(items):
    for p in items:
        yield p
        yield from panels(p.get("panels", []))


def main():
    args = sys.argv[1:]
    rules = None
    if "--rules" in args:
        i = args.index("--rules")
        rules = args[i + 1]
        del args[i:i + 2]
    base, checks, dashboards = args[0], args[1], args[2:]
    results = []
    for path in dashboards:
        d = json.load(open(path))
        name = d.get("title", path)
        for v in d.get("templating", {}).get("list", []):
            if v.get("type") != "query":
                continue
            q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
            label = f"{name} / variable {v['name']}"
            try:
                m = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", q.strip(), re.S)
                if not m:
                    raise ValueError("only label_values(selector, label) variables are checked: " + q)
                found = [s for s in query(base, substitute(m.group(1))) if m.group(2) in s["metric"]]
                results.append((label, None if found else f"no series with label {m.group(2)} for {q}"))
            except ValueError as e:
                results.append((label, str(e)))
        for p in panels(d.get("panels", [])):
            for t in p.get("targets", []):
                if "expr" not in t:
                    continue
                label = f"{name} / {p.get('title')} [{t.get('refId')}]"
                results.append((label, evaluate(base, t["expr"])))
    if rules:
        import yaml
        for g in yaml.safe_load(open(rules))["groups"]:
            for r in g["rules"]:
                label = f"alert {r.get('alert') or r.get('record')} evaluates"
                try:
                    query(base, r["expr"])
                    results.append((label, None))
                except ValueError as e:
                    results.append((label, str(e)))
    with open(checks, "a") as out:
        for label, error in results:
            out.write(f"PASS {label}\n" if error is None else f"FAIL {label}: {error}\n")
            if error:
                print(f"FAIL {label}: {error}", file=sys.stderr)
    failed = sum(1 for _, e in results if e)
    print(f"dashboards: {len(results) - failed} of {len(results)} queries return data", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
