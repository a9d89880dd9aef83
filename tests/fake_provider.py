"""A fake AI provider on 127.0.0.1 for the tests: it speaks the Anthropic Messages API (JSON and SSE
streaming, tool use) at /v1/messages and OpenAI chat completions (streaming chunks, tool calls) at
/v1/chat/completions, so the app's real SDK clients talk to it through AI_BASE_URL. It records
every request (path, headers, JSON body) so tests can check exactly what was sent, and answers from
a queue of scripted replies (a plain text reply when the queue is empty)."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    text: tuple[str, ...] = ("Fine.",)  # a text reply, streamed chunk by chunk
    tool_input: Any = None  # a structured reply: the tool call's input
    status: int = 200  # an error reply: its status, headers and body
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to hold the request unanswered (a timeout)
    hold: threading.Event | None = None  # streaming: wait for this after the first chunk
    meanwhile: Callable[[], None] | None = None  # streaming: called after the first chunk (time passes)
    input_tokens: int = 40
    output_tokens: int = 10


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def sent_text(self) -> str:
        """Everything the request carried as text: system prompt, messages, tools."""
        return json.dumps(self.body, ensure_ascii=False)


class FakeProvider:
    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[Recorded] = []
        self.released = threading.Event()  # set at close: a delayed or held reply stops waiting
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def next_reply(self) -> Reply:
        return self.replies.popleft() if self.replies else Reply()

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


def _handler(fake: FakeProvider):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # quiet: pytest shows failures, not access logs
            pass

        def do_POST(self):
            length = int(self.headers.get("content-length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            fake.requests.append(Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            reply = fake.next_reply()
            if reply.delay:  # no answer at all: the client times out first
                fake.released.wait(reply.delay)
                return
            if reply.status != 200:
                return self.send_json(reply.status, {"error": {"type": "error", "message": "scripted"}}, reply.headers)
            if self.path.endswith("/v1/messages"):
                return self.anthropic(body, reply)
            if self.path.endswith("/chat/completions"):
                return self.openai(body, reply)
            self.send_json(404, {"error": {"message": f"no route {self.path}"}})

        def send_json(self, status, payload, headers=None):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def start_events(self):
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("cache-control", "no-cache")
            self.send_header("connection", "close")
            self.end_headers()
            self.close_connection = True

        def event(self, name: str | None, payload):
            head = f"event: {name}\n" if name else ""
            data = payload if isinstance(payload, str) else json.dumps(payload)
            self.wfile.write(f"{head}data: {data}\n\n".encode())
            self.wfile.flush()

        def chunks(self, reply: Reply):
            """The reply's chunks, holding after the first one if the test asked to."""
            for i, chunk in enumerate(reply.text):
                if i == 1 and reply.hold is not None:
                    reply.hold.wait(10)
                if i == 1 and reply.meanwhile is not None:
                    reply.meanwhile()
                yield chunk

        # ---- Anthropic Messages API ----

        def anthropic(self, body, reply: Reply):
            model = body.get("model", "fake")
            usage = {"input_tokens": reply.input_tokens, "output_tokens": reply.output_tokens}
            if reply.tool_input is not None:
                name = body["tools"][0]["name"]
                block = {"type": "tool_use", "id": "toolu_fake", "name": name, "input": reply.tool_input}
                return self.send_json(200, self.message(model, [block], "tool_use", usage))
            if not body.get("stream"):
                block = {"type": "text", "text": "".join(reply.text)}
                return self.send_json(200, self.message(model, [block], "end_turn", usage))
            self.start_events()
            start = self.message(model, [], None, {"input_tokens": reply.input_tokens, "output_tokens": 1})
            self.event("message_start", {"type": "message_start", "message": start})
            block = {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
            self.event("content_block_start", block)
            for chunk in self.chunks(reply):
                delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": chunk}}
                self.event("content_block_delta", delta)
            self.event("content_block_stop", {"type": "content_block_stop", "index": 0})
            end = {"stop_reason": "end_turn", "stop_sequence": None}
            self.event(
                "message_delta",
                {"type": "message_delta", "delta": end, "usage": {"output_tokens": reply.output_tokens}},
            )
            self.event("message_stop", {"type": "message_stop"})

        @staticmethod
        def message(model, content, stop_reason, usage):
            return {
                "id": "msg_fake",
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": content,
                "stop_reason": stop_reason,
                "stop_sequence": None,
                "usage": usage,
            }

        # ---- OpenAI chat completions ----

        def openai(self, body, reply: Reply):
            model = body.get("model", "fake")
            usage = {
                "prompt_tokens": reply.input_tokens,
                "completion_tokens": reply.output_tokens,
                "total_tokens": reply.input_tokens + reply.output_tokens,
            }
            if reply.tool_input is not None:
                name = body["tools"][0]["function"]["name"]
                arguments = reply.tool_input if isinstance(reply.tool_input, str) else json.dumps(reply.tool_input)
                call = {"id": "call_fake", "type": "function", "function": {"name": name, "arguments": arguments}}
                message = {"role": "assistant", "content": None, "tool_calls": [call]}
                return self.send_json(200, self.completion(model, message, "tool_calls", usage))
            if not body.get("stream"):
                message = {"role": "assistant", "content": "".join(reply.text)}
                return self.send_json(200, self.completion(model, message, "stop", usage))
            self.start_events()
            for i, chunk in enumerate(self.chunks(reply)):
                delta = {"role": "assistant", "content": chunk} if i == 0 else {"content": chunk}
                self.event(None, self.chunk(model, [{"index": 0, "delta": delta, "finish_reason": None}]))
            self.event(None, self.chunk(model, [{"index": 0, "delta": {}, "finish_reason": "stop"}]))
            if (body.get("stream_options") or {}).get("include_usage"):
                self.event(None, {**self.chunk(model, []), "usage": usage})
            self.event(None, "[DONE]")

        @staticmethod
        def completion(model, message, finish, usage):
            return {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": 0,
                "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": usage,
            }

        @staticmethod
        def chunk(model, choices):
            return {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": choices,
            }

    return Handler
