"""A scripted, local OpenAI-compatible Chat Completions server for offline protocol tests.

:class:`OpenAIStub` serves ``POST /v1/chat/completions`` on 127.0.0.1 (a free port). The
n-th request gets the n-th scripted reply, streamed (``"stream": true``) as Server-Sent
Events in the exact format of OpenAI's streaming API:

- a first chunk whose ``choices[0].delta`` carries ``role: "assistant"``;
- for a text reply, ``content`` deltas; for tool calls, per call a chunk carrying
  ``index``, ``id``, ``type: "function"``, ``function.name`` and empty
  ``function.arguments``, then chunks carrying only ``index`` and a piece of
  ``function.arguments`` (as OpenAI streams them);
- a chunk with an empty delta and ``finish_reason`` (``stop`` or ``tool_calls``);
- with ``stream_options.include_usage``, a last chunk with no choices and ``usage``;
- ``data: [DONE]``.

Once the script runs out, every request gets an empty text reply. Every request body is
recorded (parsed JSON) in :attr:`OpenAIStub.requests`; extra request fields (``tools``,
``stream_options``, ``parallel_tool_calls``, ...) are accepted and ignored.

The server runs on its own event loop in a background thread (both ``with`` and
``async with`` start it so): a call running on the harness's virtual-time loop then has no
listening socket in its own selector, and the server answers while that loop waits for
the client's socket. Every response carries ``Connection: close``, so no idle keep-alive
connection stays registered in the client's loop between requests (on the virtual-time
loop an open socket makes the loop wait in real time instead of jumping to its next timer).

Example::

    script = [ToolCall("send_dtmf_events", {"events": ["1"]}), "Hello."]
    with OpenAIStub(script) as stub:
        model = openai.LLM(model="gpt-4.1-mini", api_key="test", base_url=stub.base_url)
        ...
    stub.requests[0]["messages"]
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class ToolCall:
    """One function call the scripted model makes: ``arguments`` a dict (sent as JSON) or
    a raw JSON string."""

    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)

    @property
    def arguments_json(self) -> str:
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(self.arguments)


Reply = str | ToolCall | Sequence[ToolCall]
"""A scripted reply: text, one tool call, or several tool calls (parallel calls)."""


def _tool_calls(reply: Reply) -> list[ToolCall]:
    if isinstance(reply, str):
        return []
    if isinstance(reply, ToolCall):
        return [reply]
    calls = list(reply)
    if not calls or not all(isinstance(c, ToolCall) for c in calls):
        raise TypeError(f"a reply is text, a ToolCall or a non-empty list of them: {reply!r}")
    return calls


class OpenAIStub:
    """A local OpenAI-compatible server replying from ``script`` (see the module doc).

    Args:
        script: the replies, in request order.
        chunk_chars: characters of content or arguments per streamed chunk (small, so that
            clients must assemble deltas).
    """

    def __init__(self, script: Iterable[Reply] = (), *, chunk_chars: int = 7) -> None:
        self.script: list[Reply] = list(script)
        for reply in self.script:
            _tool_calls(reply)  # fail early on a malformed script
        self.chunk_chars = max(1, chunk_chars)
        self.requests: list[dict[str, Any]] = []
        """Every request body to ``/v1/chat/completions``, parsed, in arrival order."""
        self.replies: list[Reply] = []
        """The reply given to each request (``""`` once the script ran out)."""
        self._ids = itertools.count(1)
        self._port: int | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._stopped: asyncio.Event | None = None
        self._error: BaseException | None = None

    # --- lifecycle -----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The API's base URL, ``http://127.0.0.1:<port>/v1`` (for ``base_url=``)."""
        if self._port is None:
            raise RuntimeError("the stub is not running")
        return f"http://127.0.0.1:{self._port}/v1"

    @property
    def request_texts(self) -> list[str]:
        """Each recorded request body as JSON text (to search for strings)."""
        return [json.dumps(r, ensure_ascii=False) for r in self.requests]

    def start(self) -> OpenAIStub:
        """Start serving in a background thread; returns once the port is bound."""
        if self._thread is not None:
            raise RuntimeError("the stub is already running")
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,),
                                        name="openai-stub", daemon=True)
        self._thread.start()
        if not ready.wait(10) or self._port is None:
            self.stop()
            raise RuntimeError(f"the OpenAI stub did not start: {self._error!r}")
        return self

    def stop(self) -> None:
        """Stop serving and join the thread."""
        loop, stopped, thread = self._loop, self._stopped, self._thread
        if loop is not None and stopped is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stopped.set)
        if thread is not None:
            thread.join(10)
        self._thread = None

    def __enter__(self) -> OpenAIStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> OpenAIStub:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main(ready))
        except BaseException as e:  # reported by start()
            self._error = e
        finally:
            ready.set()
            loop.close()

    async def _main(self, ready: threading.Event) -> None:
        self._stopped = asyncio.Event()
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat_completions)
        app.router.add_get("/v1/models", self._models)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server  # aiohttp keeps the asyncio server here
        assert server is not None and server.sockets
        self._port = server.sockets[0].getsockname()[1]
        ready.set()
        try:
            await self._stopped.wait()
        finally:
            await self._runner.cleanup()

    # --- the API -------------------------------------------------------------------------

    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [
            {"id": "gpt-4.1-mini", "object": "model", "created": 0, "owned_by": "stub"}]},
            headers={"Connection": "close"})

    async def _chat_completions(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
        except ValueError:
            return self._error_response(400, "the request body is not JSON")
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            return self._error_response(400, "'messages' is a required list")
        index = len(self.requests)
        self.requests.append(body)
        reply = self.script[index] if index < len(self.script) else ""
        self.replies.append(reply)
        completion_id = f"chatcmpl-stub{next(self._ids):04d}"
        model = str(body.get("model", "gpt-4.1-mini"))
        if not body.get("stream"):
            return web.json_response(self._completion(completion_id, model, reply),
                                     headers={"Connection": "close"})
        response = web.StreamResponse(headers={
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-cache",
        })
        response.force_close()  # Connection: close
        await response.prepare(request)
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        for chunk in self._chunks(completion_id, model, reply, include_usage):
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    def _error_response(self, status: int, message: str) -> web.Response:
        return web.json_response({"error": {"message": message, "type": "invalid_request_error",
                                            "param": None, "code": None}},
                                 status=status, headers={"Connection": "close"})

    def _pieces(self, text: str) -> list[str]:
        n = self.chunk_chars
        return [text[i:i + n] for i in range(0, len(text), n)]

    def _chunks(self, completion_id: str, model: str, reply: Reply,
                include_usage: bool) -> list[dict[str, Any]]:
        created = int(time.time())

        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
            return {"id": completion_id, "object": "chat.completion.chunk", "created": created,
                    "model": model, "system_fingerprint": "fp_stub", "service_tier": "default",
                    "choices": [{"index": 0, "delta": delta, "logprobs": None,
                                 "finish_reason": finish_reason}],
                    "usage": None}

        chunks = [chunk({"role": "assistant", "content": "", "refusal": None})]
        calls = _tool_calls(reply)
        if calls:
            chunks[0]["choices"][0]["delta"]["content"] = None
            for i, call in enumerate(calls):
                chunks.append(chunk({"tool_calls": [{
                    "index": i, "id": self._call_id(completion_id, i), "type": "function",
                    "function": {"name": call.name, "arguments": ""}}]}))
                for piece in self._pieces(call.arguments_json):
                    chunks.append(chunk({"tool_calls": [{
                        "index": i, "function": {"arguments": piece}}]}))
            chunks.append(chunk({}, "tool_calls"))
        else:
            assert isinstance(reply, str)
            chunks += [chunk({"content": piece}) for piece in self._pieces(reply)]
            chunks.append(chunk({}, "stop"))
        if include_usage:
            chunks.append({"id": completion_id, "object": "chat.completion.chunk",
                           "created": created, "model": model,
                           "system_fingerprint": "fp_stub", "service_tier": "default",
                           "choices": [], "usage": self._usage(reply)})
        return chunks

    def _completion(self, completion_id: str, model: str, reply: Reply) -> dict[str, Any]:
        calls = _tool_calls(reply)
        message: dict[str, Any] = {"role": "assistant", "refusal": None, "annotations": []}
        if calls:
            message["content"] = None
            message["tool_calls"] = [
                {"id": self._call_id(completion_id, i), "type": "function",
                 "function": {"name": c.name, "arguments": c.arguments_json}}
                for i, c in enumerate(calls)]
        else:
            message["content"] = reply
        return {"id": completion_id, "object": "chat.completion", "created": int(time.time()),
                "model": model, "system_fingerprint": "fp_stub",
                "choices": [{"index": 0, "message": message, "logprobs": None,
                             "finish_reason": "tool_calls" if calls else "stop"}],
                "usage": self._usage(reply)}

    @staticmethod
    def _call_id(completion_id: str, index: int) -> str:
        return f"call_{completion_id.removeprefix('chatcmpl-')}_{index}"

    @staticmethod
    def _usage(reply: Reply) -> dict[str, Any]:
        completion = max(1, len(json.dumps(reply, default=str)) // 4)
        return {"prompt_tokens": 100, "completion_tokens": completion,
                "total_tokens": 100 + completion,
                "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                              "accepted_prediction_tokens": 0,
                                              "rejected_prediction_tokens": 0}}
