#!/usr/bin/env python3
"""An OpenAI-compatible chat endpoint on 127.0.0.1 for the operations check (no real LLM here).

usage: fake_llm.py PORT      POST /v1/chat/completions answers with a fixed reply and token usage.

A request that offers the workflow planner's `validate_workflow` function (POST /api/workflows/generate)
is answered as a planner would: list_capabilities, then validate_workflow with an echo step on the first
capability listed, then "done".
"""
import json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("content-length", 0))
        request = json.loads(self.rfile.read(length) or b"{}")
        message, finish = plan(request) or ({"role": "assistant", "content": "ok"}, "stop")
        body = json.dumps({
            "id": "chatcmpl-ops", "object": "chat.completion", "created": int(time.time()),
            "model": request.get("model", "ops-model"),
            "choices": [{"index": 0, "finish_reason": finish, "message": message}],
            "usage": {"prompt_tokens": 11, "completion_tokens": 3, "total_tokens": 14},
        }).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def plan(request):
    names = [t.get("function", {}).get("name") for t in request.get("tools") or []]
    if "validate_workflow" not in names:
        return None
    results = [m.get("content") or "" for m in request.get("messages", []) if m.get("role") == "tool"]

    def call(name, arguments):
        return ({"role": "assistant", "content": None, "tool_calls": [{"id": f"call_{len(results)}", "type": "function",
                 "function": {"name": name, "arguments": json.dumps(arguments)}}]}, "tool_calls")

    if not results:
        return call("list_capabilities", {})
    if len(results) == 1:
        try:
            capability = next(iter(json.loads(results[0])["capabilities"]), "search")
        except (ValueError, KeyError, TypeError):
            capability = "search"
        return call("validate_workflow", {"definition": {
            "name": "Echo a topic", "goal": "Say the topic back",
            "inputSchema": {"type": "object", "properties": {"topic": {"type": "string"}}, "required": ["topic"]},
            "steps": [{"id": "say", "capability": capability, "skill": "echo", "input": {"text": "{{ input.topic }}"}}],
            "output": {"said": "{{ steps.say.output.text }}"}}})
    return {"role": "assistant", "content": "done"}, "stop"


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
