#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A fake Gemini generateContent server for qmb-review's tests and demo.

fake_gemini.py --port 0 --port-file F [--log F.jsonl] --mode MODE
               [--delay-ms 5000] [--expect-key K] [--dump-dir D]

Binds 127.0.0.1 only.  With --port 0 it takes an ephemeral port and writes
the number to --port-file once it listens.  It exits on SIGTERM.  Routes:
POST /v1beta/models/{model}:generateContent (and /v1/...); anything else
is a 404 NOT_FOUND.  A model named "mode-X" selects mode X for that request
instead of --mode.  Counters are kept per mode: "attempt" is the 1-based
number of requests seen for the mode.

Before the mode runs: no key -> 403; --expect-key set and another key ->
400 API_KEY_INVALID; a body that is not JSON, has no contents[0].parts[0]
.text, or asks for a responseMimeType other than application/json -> 400.

The log has one JSON object per request, written and flushed on receipt,
before the answer.  It never holds a header value, a query value or the
key.  --dump-dir saves each request body as req-SEQ.json.

Python 3 standard library only.
"""
import argparse
import json
import os
import re
import signal
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

REVIEW = {
    "review_status": "issues_found",
    "score": 72,
    "issues": [
        {
            "issue_id": "QMB-001",
            "severity": "warning",
            "category": "anti-pattern",
            "title": "LOAD * from resident table",
            "location": {"table": "Orders", "line": 12, "field": "*"},
            "description": "LOAD * copies every field of the resident table,"
                           " including ones the model never uses.",
            "recommendation": "Name the fields the model needs.",
            "fix_example": "LOAD OrderID, OrderDate RESIDENT Orders;",
        },
        {
            "issue_id": "QMB-002",
            "severity": "critical",
            "category": "model-size",
            "title": "Timestamp field with very high cardinality",
            "location": {"table": "FACT_Orders", "field": "OrderTimestamp"},
            "description": "A full timestamp makes almost every value"
                           " distinct and inflates the model.",
            "recommendation": "Split it into a date and a time field.",
            "fix_example": "Date(Floor(OrderTimestamp)) as OrderDate,",
        },
    ],
    "summary": "The model loads, but two issues should be fixed first.",
}

APPROVED = {
    "review_status": "approved",
    "score": 100,
    "issues": [],
    "summary": "The script is ready for production.",
}

USAGE = {"promptTokenCount": 100, "candidatesTokenCount": 50,
         "totalTokenCount": 150}

ROUTE = re.compile(r"/(v1beta|v1)/models/([^/:]+):generateContent")


def error_body(code, status, message, details=None):
    err = {"code": code, "message": message, "status": status}
    if details is not None:
        err["details"] = details
    return {"error": err}


def ok_body(model, text=None, parts=None, finish="STOP", content=True):
    cand = {"finishReason": finish, "index": 0, "safetyRatings": []}
    if content:
        cand["content"] = {"role": "model",
                           "parts": parts if parts is not None
                           else [{"text": text}]}
    return {"candidates": [cand], "usageMetadata": dict(USAGE),
            "modelVersion": model, "responseId": "fake-response"}


def body_ok(raw):
    try:
        req = json.loads(raw.decode("utf-8"))
        text = req["contents"][0]["parts"][0]["text"]
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return False
    if not isinstance(text, str) or text == "":
        return False
    gen = req.get("generationConfig") if isinstance(req, dict) else None
    if isinstance(gen, dict) and "responseMimeType" in gen and \
            gen["responseMimeType"] != "application/json":
        return False
    return True


BAD_KEY = error_body(400, "INVALID_ARGUMENT",
                     "API key not valid. Please pass a valid API key.", [
                         {"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                          "reason": "API_KEY_INVALID",
                          "domain": "googleapis.com",
                          "metadata": {"service":
                                       "generativelanguage.googleapis.com"}}])
NO_KEY = error_body(403, "PERMISSION_DENIED",
                    "Method doesn't allow unregistered callers (callers "
                    "without established identity). Please use API Key or "
                    "other form of API consumer identity to call this API.")
BAD_BODY = error_body(400, "INVALID_ARGUMENT",
                      "Invalid JSON payload received.", [
                          {"@type":
                           "type.googleapis.com/google.rpc.BadRequest",
                           "fieldViolations": [
                               {"field": "contents[0].parts[0].text",
                                "description": "required"}]}])


class Fake:
    """Counters, the request log and the options, shared by handlers."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.seq = 0
        self.counts = {}
        self.log = open(args.log, "a", encoding="utf-8") if args.log else None

    def note(self, mode):
        with self.lock:
            self.seq += 1
            self.counts[mode] = self.counts.get(mode, 0) + 1
            return self.seq, self.counts[mode]

    def write_log(self, entry):
        if self.log is None:
            return
        line = json.dumps(entry, sort_keys=False) + "\n"
        with self.lock:
            self.log.write(line)
            self.log.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-gemini/1"
    fake = None

    def log_message(self, fmt, *args):
        pass

    def finish(self):
        try:
            super().finish()
        except (OSError, ValueError):
            pass

    def do_GET(self):
        self.serve("GET")

    def do_POST(self):
        self.serve("POST")

    def do_PUT(self):
        self.serve("PUT")

    # ---- answers ---------------------------------------------------------

    def send_json(self, code, obj, headers=None):
        data = json.dumps(obj).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def send_ok(self, model, obj):
        self.send_json(200, ok_body(model, text=json.dumps(obj)))

    def hang_up(self, rst):
        self.close_connection = True
        try:
            if rst:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
            else:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.connection.close()

    def action_for(self, mode, attempt):
        return {
            "rate_limit_then_ok": "429" if attempt == 1 else "200",
            "retry_after_then_ok": "429" if attempt == 1 else "200",
            "unavailable_x2_then_ok": "503" if attempt <= 2 else "200",
            "slow_then_ok": "slow" if attempt == 1 else "200",
            "quota_daily": "429", "internal_always": "500",
            "bad_gateway_html": "502", "auth_400": "400", "auth_401": "401",
            "auth_403": "403", "not_found": "404", "invalid_argument": "400",
            "slow": "slow", "truncate": "truncate", "reset": "reset",
            "empty_close": "close",
        }.get(mode, "200")

    def run_mode(self, mode, attempt, model):
        quota = "type.googleapis.com/google.rpc.QuotaFailure"
        retry = "type.googleapis.com/google.rpc.RetryInfo"
        if self.action_for(mode, attempt) == "200" and mode.endswith("_ok"):
            mode = "ok"
        if mode in ("fenced", "multipart", "max_tokens"):
            text = json.dumps(REVIEW)
            half = len(text) // 2
            if mode == "fenced":
                self.send_json(200, ok_body(model, "```json\n" + text +
                                            "\n```"))
            elif mode == "multipart":
                self.send_json(200, ok_body(model, parts=[
                    {"text": "Let me think about the joins first.",
                     "thought": True},
                    {"text": text[:half]},
                    {"text": text[half:], "thoughtSignature": "c2ln"}]))
            else:
                self.send_json(200, ok_body(model, text[:half],
                                            finish="MAX_TOKENS"))
        elif mode == "ok_approved":
            self.send_ok(model, APPROVED)
        elif mode == "prose":
            self.send_json(200, ok_body(
                model, "The script looks mostly fine; consider naming the "
                "fields of the resident load instead of using LOAD *."))
        elif mode == "safety":
            body = ok_body(model, finish="SAFETY", content=False)
            body["candidates"][0]["safetyRatings"] = [
                {"category": "HARM_CATEGORY_DANGEROUS_CONTENT",
                 "probability": "HIGH", "blocked": True}]
            self.send_json(200, body)
        elif mode == "prompt_blocked":
            self.send_json(200, {"promptFeedback": {"blockReason": "SAFETY"},
                                 "usageMetadata": dict(USAGE)})
        elif mode == "rate_limit_then_ok":
            self.send_json(429, error_body(
                429, "RESOURCE_EXHAUSTED",
                "You exceeded your current quota. Please retry in 1.2s.", [
                    {"@type": quota, "violations": [
                        {"quotaMetric": "generativelanguage.googleapis.com/"
                         "generate_content_free_tier_requests",
                         "quotaId":
                         "GenerateRequestsPerMinutePerProjectPerModel"}]},
                    {"@type": retry, "retryDelay": "1s"}]))
        elif mode == "retry_after_then_ok":
            self.send_json(429, error_body(429, "RESOURCE_EXHAUSTED",
                                           "Resource has been exhausted."),
                           headers={"Retry-After": "1"})
        elif mode == "quota_daily":
            self.send_json(429, error_body(
                429, "RESOURCE_EXHAUSTED",
                "You exceeded your current quota. Please retry in 3600s.", [
                    {"@type": quota, "violations": [
                        {"quotaId":
                         "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]},
                    {"@type": retry, "retryDelay": "3600s"}]))
        elif mode == "unavailable_x2_then_ok":
            self.send_json(503, error_body(
                503, "UNAVAILABLE",
                "The model is overloaded. Please try again later."))
        elif mode == "internal_always":
            self.send_json(500, error_body(
                500, "INTERNAL", "An internal error has occurred. Please "
                "retry or report in https://developers.generativeai.google"
                "/guide/troubleshooting"))
        elif mode == "bad_gateway_html":
            data = b"<html>Bad Gateway</html>"
            self.send_response(502)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif mode == "auth_400":
            self.send_json(400, BAD_KEY)
        elif mode == "auth_401":
            self.send_json(401, error_body(
                401, "UNAUTHENTICATED",
                "Request had invalid authentication credentials."))
        elif mode == "auth_403":
            self.send_json(403, error_body(
                403, "PERMISSION_DENIED",
                "Your API key was reported as leaked. Please use another "
                "API key."))
        elif mode == "not_found":
            self.send_json(404, error_body(
                404, "NOT_FOUND", "models/%s is not found for API version "
                "v1beta, or is not supported for generateContent. Call "
                "ListModels to see the list of available models and their "
                "supported methods." % model))
        elif mode == "invalid_argument":
            self.send_json(400, BAD_BODY)
        elif mode in ("slow", "slow_then_ok"):
            time.sleep(self.fake.args.delay_ms / 1000.0)
            self.send_ok(model, REVIEW)
        elif mode == "truncate":
            data = json.dumps(ok_body(model, json.dumps(REVIEW))).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            self.hang_up(False)
        elif mode == "reset":
            self.hang_up(True)
        elif mode == "empty_close":
            self.hang_up(False)
        else:
            self.send_ok(model, REVIEW)

    # ---- one request -----------------------------------------------------

    def serve(self, method):
        fake = self.fake
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        query = parse_qs(url.query, keep_blank_values=True)
        key = self.headers.get("x-goog-api-key") or \
            (query.get("key") or [None])[0]
        route = ROUTE.fullmatch(url.path)
        model = route.group(2) if route else ""
        mode = model[5:] if model.startswith("mode-") else fake.args.mode
        seq, attempt = fake.note(mode)
        key_ok = bool(key) and (fake.args.expect_key is None or
                                key == fake.args.expect_key)
        valid = body_ok(raw)
        if not route or method != "POST":
            action = "404-route"
        elif not key:
            action = "403-no-key"
        elif not key_ok:
            action = "400-bad-key"
        elif not valid:
            action = "400-bad-body"
        else:
            action = self.action_for(mode, attempt)
        fake.write_log({
            "seq": seq, "ts_ms": int(time.time() * 1000), "method": method,
            "path": url.path, "query_keys": sorted(query.keys()),
            "header_names": sorted({h.lower() for h in self.headers.keys()}),
            "has_key": bool(key), "key_ok": key_ok, "valid_body": valid,
            "body_bytes": len(raw), "mode": mode, "attempt": attempt,
            "action": action})
        if fake.args.dump_dir:
            with open(os.path.join(fake.args.dump_dir, "req-%d.json" % seq),
                      "wb") as f:
                f.write(raw)
        try:
            if action == "404-route":
                self.send_json(404, error_body(
                    404, "NOT_FOUND", "The requested URL was not found."))
            elif action == "403-no-key":
                self.send_json(403, NO_KEY)
            elif action == "400-bad-key":
                self.send_json(400, BAD_KEY)
            elif action == "400-bad-body":
                self.send_json(400, BAD_BODY)
            else:
                self.run_mode(mode, attempt, model)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def main():
    ap = argparse.ArgumentParser(description="fake Gemini server")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--log")
    ap.add_argument("--mode", default="ok")
    ap.add_argument("--delay-ms", type=int, default=5000)
    ap.add_argument("--expect-key")
    ap.add_argument("--dump-dir")
    args = ap.parse_args()

    Handler.fake = Fake(args)
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w", encoding="ascii") as f:
            f.write("%d\n" % server.server_address[1])
        os.rename(tmp, args.port_file)
    try:
        server.serve_forever(poll_interval=0.1)
    except SystemExit:
        pass
    server.server_close()


if __name__ == "__main__":
    main()
