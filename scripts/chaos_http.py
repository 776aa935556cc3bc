"""HTTP client helpers for scripts/chaos_driver.py (python3 standard library only)."""
import json
import time
import urllib.error
import urllib.request


class Api:
    def __init__(self, base, api_key=None):
        self.base, self.token, self.api_key = base, None, api_key

    def call(self, method, path, body=None, key=None, timeout=60):
        """Returns (status, json or None, headers); status 0 means a connection error."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if self.api_key:
            req.add_header("X-Api-Key", self.api_key)
        elif self.token:
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


def iso_seconds(text):
    """Epoch seconds of an ISO time such as 2026-12-03T14:45:27.2191329Z (7 fraction digits)."""
    from datetime import datetime, timezone
    head, _, frac = text.rstrip("Z").partition(".")
    t = datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()
    return t + (float("0." + frac) if frac else 0.0)


def percentile(values, p):
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]
