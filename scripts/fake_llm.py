#!/usr/bin/env python3
"""An OpenAI-compatible chat endpoint on 127.0.0.1 for the operations and chaos checks (no real LLM here).

usage: fake_llm.py PORT      POST /v1/chat/completions answers with token usage (11 in, 3 out) and:
  - offered a delegate tool (a function named ask_*, from an agent's `agent:{id}` tool) and last
    given a user message: a call of the first such tool with the question "Q: <message>" and a call
    id derived from the message, so a turn resumed after a crash asks again under the same id;
  - last given a tool result: "delegated to <conversationId> turn <turnId>" from the result's JSON
    (or "tool error <code>"), so a caller can follow the delegation;
  - otherwise "ok".
A request with "stream": true is answered as Server-Sent Events (chunks, a usage chunk, [DONE]),
as hosted agents' turns ask; other requests get one JSON completion.
"""
import hashlib, json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

USAGE = {"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14}


def text_of(message):
    content = message.get("content")
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content or ""


def decide(request):
    """(text, tool call or None) for the last message of the request."""
    messages = request.get("messages") or [{}]
    last = messages[-1]
    delegates = [t["function"]["name"] for t in request.get("tools") or []
                 if t.get("type") == "function" and t["function"]["name"].startswith("ask_")]
    if last.get("role") == "tool":
        try:
            result = json.loads(text_of(last))
        except ValueError:
            result = {}
        if isinstance(result, dict) and result.get("conversationId"):
            return f"delegated to {result['conversationId']} turn {result.get('turnId')}", None
        return f"tool error {result.get('error') if isinstance(result, dict) else 'unreadable'}", None
    if delegates and last.get("role") == "user":
        question = "Q: " + text_of(last)
        call_id = "call_" + hashlib.sha256(text_of(last).encode()).hexdigest()[:24]
        return "", {"id": call_id, "type": "function",
                    "function": {"name": delegates[0], "arguments": json.dumps({"question": question})}}
    return "ok", None


class Handler(BaseHTTPRequestHandler):
    # Keep-alive, as real providers: an HTTP/1.0 close after every answer races the client's connection pool.
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("content-length", 0))
        request = json.loads(self.rfile.read(length) or b"{}")
        model = request.get("model", "ops-model")
        text, call = decide(request)
        finish = "tool_calls" if call else "stop"
        if request.get("stream"):
            self.stream(model, text, call, finish)
            return
        message = {"role": "assistant", "content": text or None}
        if call:
            message["tool_calls"] = [call]
        self.send_json({"id": "chatcmpl-ops", "object": "chat.completion", "created": int(time.time()), "model": model,
                        "choices": [{"index": 0, "finish_reason": finish, "message": message}], "usage": USAGE})

    def stream(self, model, text, call, finish):
        base = {"id": "chatcmpl-ops", "object": "chat.completion.chunk", "created": int(time.time()), "model": model}
        delta = {"role": "assistant"}
        if text:
            delta["content"] = text
        if call:
            delta["tool_calls"] = [dict(call, index=0)]
        chunks = [dict(base, choices=[{"index": 0, "delta": delta, "finish_reason": None}]),
                  dict(base, choices=[{"index": 0, "delta": {}, "finish_reason": finish}]),
                  dict(base, choices=[], usage=USAGE)]
        body = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks) + b"data: [DONE]\n\n"
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, payload):
        body = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
