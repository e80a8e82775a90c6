#!/usr/bin/python3
"""mock_llm — a small OpenAI-compatible chat-completions server for tests.

Standard library only. Serves on 127.0.0.1:
  GET  /v1/models             {"object": "list", "data": [{"id": MODEL}]}
  POST /v1/chat/completions   the configured answer, streamed as Server-Sent
                              Events when the request says "stream": true
                              (one "data: {chunk}" per piece, then
                              "data: [DONE]"), else one JSON answer.

Behaviour (MockLLM.config, a dict; change it between requests):
  reply        answer text (default "Hello from the mock LLM.")
  oracle       answer when the system prompt asks for yes/no (default "yes")
  pieces       number of stream pieces the answer is cut into (default 4)
  first_delay  seconds before the first piece (default 0)
  gap          seconds between pieces (default 0.05)
  status       HTTP status to answer with instead (e.g. 500, with an error JSON)
Every request is recorded in MockLLM.requests as {"path", "headers", "body"}.

    with MockLLM() as m:            # m.url == "http://127.0.0.1:PORT"
        m.config["reply"] = "42"

Standalone: mock_llm.py [--port N] [--reply TEXT] [--first-delay S] serves
until interrupted, printing its URL.
"""

import argparse
import http.server
import json
import threading
import time


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def _json(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        mock = self.server.mock
        mock.requests.append({"path": self.path, "headers": dict(self.headers), "body": None})
        if self.path.rstrip("/") == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": mock.config.get("model", "mock-model"),
                                                          "object": "model"}]})
        else:
            self._json(404, {"error": {"message": "no such path " + self.path}})

    def do_POST(self):
        mock = self.server.mock
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        mock.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        if self.path != "/v1/chat/completions" or not isinstance(body, dict):
            self._json(400, {"error": {"message": "bad request"}})
            return
        cfg = dict(mock.config)
        if cfg.get("status"):
            self._json(cfg["status"], {"error": {"message": "mock failure %d" % cfg["status"]}})
            return
        msgs = body.get("messages") or []
        system = " ".join(m.get("content", "") for m in msgs if m.get("role") == "system")
        text = cfg.get("oracle", "yes") if "yes or no" in system else cfg.get("reply", "Hello from the mock LLM.")
        time.sleep(cfg.get("first_delay", 0))
        if not body.get("stream"):
            self._json(200, {"id": "mock", "object": "chat.completion", "model": body.get("model"),
                             "choices": [{"index": 0, "finish_reason": "stop",
                                          "message": {"role": "assistant", "content": text}}]})
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        pieces = max(1, int(cfg.get("pieces", 4)))
        step = max(1, -(-len(text) // pieces))
        try:
            first = {"id": "mock", "object": "chat.completion.chunk",
                     "choices": [{"index": 0, "delta": {"role": "assistant"}}]}
            self.wfile.write(b"data: " + json.dumps(first).encode() + b"\n\n")
            for i in range(0, len(text), step):
                if i:
                    time.sleep(cfg.get("gap", 0.05))
                chunk = {"id": "mock", "object": "chat.completion.chunk",
                         "choices": [{"index": 0, "delta": {"content": text[i:i + step]}}]}
                self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
                self.wfile.flush()
            done = {"id": "mock", "object": "chat.completion.chunk",
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
            self.wfile.write(b"data: " + json.dumps(done).encode() + b"\n\ndata: [DONE]\n\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the bridge gave up (a timeout test)
        self.close_connection = True


class MockLLM:
    """The server, in a thread; a context manager."""

    def __init__(self, port=0):
        self.config = {}
        self.requests = []
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.mock = self
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True, name="mock-llm")
        self._thread.start()

    def chat_requests(self):
        return [r for r in self.requests if r["path"] == "/v1/chat/completions"]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--reply")
    ap.add_argument("--first-delay", type=float, default=0)
    a = ap.parse_args()
    m = MockLLM(a.port)
    if a.reply:
        m.config["reply"] = a.reply
    m.config["first_delay"] = a.first_delay
    print(m.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        m.close()


if __name__ == "__main__":
    main()
