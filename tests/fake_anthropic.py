#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A scripted stand-in for the Anthropic Messages API, on 127.0.0.1 only,
for trying qmb-mcp under the real Claude Code (`claude -p` with
ANTHROPIC_BASE_URL pointing here).

    fake_anthropic.py --port-file F --log F.jsonl --script S.json

S.json is a list of turns; turn n answers the request of the main
conversation that holds n assistant messages already:
    {"tool": "mcp__qmb__qmb_list_sessions", "input": {...}}  a tool call
    {"text": "..."}                                          a final answer
Every request body is logged, one JSON line each, as it arrives.  Requests
outside the conversation (no tools: titles, quota checks) get a short text.
Answers are streamed (server-sent events) when the request asks for it.
"""
import argparse
import http.server
import json
import threading

lock = threading.Lock()
seq = [0]


def events(blocks, stop):
    """The server-sent events of one assistant message."""
    seq[0] += 1
    out = [("message_start", {"type": "message_start", "message": {
        "id": "msg_fake_%d" % seq[0], "type": "message", "role": "assistant",
        "model": "claude-fake", "content": [], "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 10, "output_tokens": 1}}})]
    for i, b in enumerate(blocks):
        if b["type"] == "text":
            out.append(("content_block_start", {"type": "content_block_start",
                        "index": i, "content_block": {"type": "text", "text": ""}}))
            out.append(("content_block_delta", {"type": "content_block_delta",
                        "index": i, "delta": {"type": "text_delta", "text": b["text"]}}))
        else:
            out.append(("content_block_start", {"type": "content_block_start",
                        "index": i, "content_block": {"type": "tool_use", "id": b["id"],
                                                      "name": b["name"], "input": {}}}))
            out.append(("content_block_delta", {"type": "content_block_delta",
                        "index": i, "delta": {"type": "input_json_delta",
                                              "partial_json": json.dumps(b["input"])}}))
        out.append(("content_block_stop", {"type": "content_block_stop", "index": i}))
    out.append(("message_delta", {"type": "message_delta",
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": {"output_tokens": 5}}))
    out.append(("message_stop", {"type": "message_stop"}))
    return out


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.reply(404, {"type": "error", "error": {"type": "not_found_error",
                                                    "message": "not here"}})

    def do_HEAD(self):
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def reply(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(n) or b"{}")
        with lock:
            with open(self.server.log, "a") as f:
                f.write(json.dumps({"path": self.path, "body": body}) + "\n")
        if "count_tokens" in self.path:
            return self.reply(200, {"input_tokens": 100})
        if not self.path.startswith("/v1/messages"):
            return self.reply(404, {"type": "error", "error": {
                "type": "not_found_error", "message": self.path}})
        turn = sum(1 for m in body.get("messages", []) if m.get("role") == "assistant")
        script = self.server.script
        if not body.get("tools") or turn >= len(script):
            blocks, stop = [{"type": "text", "text": "ok"}], "end_turn"
        elif "tool" in script[turn]:
            blocks = [{"type": "tool_use", "id": "toolu_fake_%d" % turn,
                       "name": script[turn]["tool"], "input": script[turn].get("input", {})}]
            stop = "tool_use"
        else:
            blocks, stop = [{"type": "text", "text": script[turn]["text"]}], "end_turn"
        if not body.get("stream"):
            content = [dict(b) for b in blocks]
            return self.reply(200, {"id": "msg_fake", "type": "message", "role": "assistant",
                                    "model": "claude-fake", "content": content,
                                    "stop_reason": stop, "stop_sequence": None,
                                    "usage": {"input_tokens": 10, "output_tokens": 5}})
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        for name, data in events(blocks, stop):
            self.wfile.write(("event: %s\ndata: %s\n\n" % (name, json.dumps(data))).encode())
            self.wfile.flush()
        self.close_connection = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--script", required=True)
    a = ap.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.log = a.log
    with open(a.script) as f:
        srv.script = json.load(f)
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
