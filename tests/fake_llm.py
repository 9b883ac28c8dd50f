"""A scripted OpenAI-compatible server on loopback: real HTTP and real SSE, for the real openai client.

Each request takes the next scripted reply: text (streamed as SSE when the request asks), an HTTP
status, a malformed body, or a delay. Every request body is recorded for assertions.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    content: str = ""
    status: int = 200
    malformed: bool = False
    delay: float = 0.0


@dataclass
class ScriptedLLM:
    replies: deque[Reply] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def enqueue(self, *replies: Reply | str) -> None:
        for reply in replies:
            self.replies.append(Reply(content=reply) if isinstance(reply, str) else reply)


def _completion(content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": "scripted",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
    body = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()), "model": "scripted",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(body)}\n\n".encode()


def start(script: ScriptedLLM) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            script.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization", "")})
            reply = script.replies.popleft() if script.replies else Reply(status=500, content="script exhausted")
            if reply.delay:
                time.sleep(reply.delay)
                if self._client_gone():
                    return  # the client timed out waiting: nobody reads this reply
            if reply.status != 200:
                self._send(reply.status, json.dumps({"error": {"message": reply.content or "scripted error"}}).encode())
            elif reply.malformed:
                self._send(200, b'{"choices": "not a list"')
            elif body.get("stream"):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                self.wfile.write(_chunk({"role": "assistant", "content": ""}))
                for word in reply.content.split(" "):
                    self.wfile.write(_chunk({"content": word + " "}))
                    self.wfile.flush()
                self.wfile.write(_chunk({}, "stop"))
                self.wfile.write(b"data: [DONE]\n\n")
            else:
                self._send(200, json.dumps(_completion(reply.content)).encode())

        def _client_gone(self) -> bool:
            import select

            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and not self.connection.recv(1, socket.MSG_PEEK)

        def _send(self, status: int, payload: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    script.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
