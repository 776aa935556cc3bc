#!/usr/bin/env python3
"""An OpenAI-compatible chat endpoint on 127.0.0.1 for the operations check (no real LLM here).

usage: fake_llm.py PORT      POST /v1/chat/completions answers with a fixed reply and token usage,
                             as one JSON body or, for "stream": true (hosted agents' turns), as
                             SSE chunks: the reply, the finish, a usage chunk and [DONE].
"""
import json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

USAGE = {"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14}


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("content-length", 0))
        request = json.loads(self.rfile.read(length) or b"{}")
        model = request.get("model", "ops-model")
        if request.get("stream"):
            self.stream(model)
            return
        body = json.dumps({
            "id": "chatcmpl-ops", "object": "chat.completion", "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "ok"}}],
            "usage": USAGE,
        }).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def stream(self, model):
        # HTTP/1.0 (the handler's default): the body ends when the connection closes.
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.end_headers()
        head = {"id": "chatcmpl-ops", "object": "chat.completion.chunk", "created": int(time.time()), "model": model}
        for chunk in (
            {"choices": [{"index": 0, "delta": {"role": "assistant", "content": "ok"}, "finish_reason": None}]},
            {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
            {"choices": [], "usage": USAGE},
        ):
            self.wfile.write(b"data: " + json.dumps({**head, **chunk}).encode() + b"\n\n")
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
