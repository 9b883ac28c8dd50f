"""Many people on the page at once: N clients on loopback ask questions through the page's queue
for a fixed time, each waiting for its answer before asking again. Prints what they saw.

The clients run in a child process (asyncio, one connection each), so they do not take the
server's interpreter lock; the server is the real one `qa serve` runs.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import ssl
import statistics
import time
from typing import Any

from qa.assistant import Assistant

QUESTIONS = [
    "How many industrial clusters are planned in Khanh Hoa and with what total area?",
    "Ket luan 544-KL/TU duoc ban hanh ngay nao?",
    "Which provinces are merged into the new Ninh Binh?",
    "What is the population of Hanoi?",
    "How many workers do the operating industrial clusters employ?",
]


async def _ask(client: Any, question: str, session: str) -> None:
    """The page's Gradio endpoint, as gradio_client calls it: one session per client, kept."""
    event = await client.post("/gradio_api/call/ask", json={"data": [question], "session_hash": session})
    event.raise_for_status()
    event_id = event.json()["event_id"]
    async with client.stream("GET", f"/gradio_api/call/ask/{event_id}") as stream:
        kind = ""
        async for line in stream.aiter_lines():
            if line.startswith("event:"):
                kind = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and kind in ("complete", "error"):
                if kind == "error":
                    raise RuntimeError(line)
                json.loads(line.split(":", 1)[1])
                return
    raise RuntimeError("the stream ended without an answer")


async def _ask_api(client: Any, question: str, session: str) -> None:
    """The OpenAI-compatible API, as Open WebUI or the openai SDK calls it."""
    response = await client.post("/v1/chat/completions", json={"model": "qa-policy", "messages": [{"role": "user", "content": question}]})
    response.raise_for_status()
    if not response.json()["choices"][0]["message"]["content"]:
        raise RuntimeError("an empty answer")


ROUTES = {"page": _ask, "api": _ask_api}


async def _clients(url: str, clients: int, seconds: float, route: str = "page") -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    errors: dict[str, int] = {}
    stop = time.monotonic() + seconds
    # One TLS context for all clients: httpx builds one per client otherwise (~10 ms each, even for
    # plain http), and 200 of them took the load generator's CPU away from the server it measures.
    tls = ssl.create_default_context()

    async def one(n: int) -> None:
        async with httpx.AsyncClient(base_url=url, timeout=120, verify=tls) as client:
            i = n
            while i == n or time.monotonic() < stop:  # every client asks at least once
                started = time.monotonic()
                try:
                    await ROUTES[route](client, QUESTIONS[i % len(QUESTIONS)], f"load-client-{n}")
                    latencies.append(time.monotonic() - started)
                except Exception as exc:  # noqa: BLE001 - every failure a client sees is counted, by kind
                    kind = f"{type(exc).__name__}: {str(exc)[:80]}"
                    errors[kind] = errors.get(kind, 0) + 1
                i += 1

    began = time.monotonic()
    await asyncio.gather(*(one(n) for n in range(clients)))
    elapsed = time.monotonic() - began
    ordered = sorted(latencies)
    return {
        "route": route, "clients": clients, "seconds": round(elapsed, 1), "answers": len(ordered), "errors": sum(errors.values()),
        "error_kinds": errors, "answers_per_s": round(len(ordered) / elapsed, 1),
        "p50_s": round(statistics.median(ordered), 2) if ordered else None,
        "p95_s": round(ordered[int(0.95 * (len(ordered) - 1))], 2) if ordered else None,
    }


def _client_process(url: str, clients: int, seconds: float, route: str, out: Any) -> None:
    out.put(asyncio.run(_clients(url, clients, seconds, route)))


def load_test(assistant: Assistant, clients: int = 200, seconds: float = 60.0, route: str = "page") -> dict[str, Any]:
    """Serve `assistant` on loopback and run `clients` clients against it for `seconds`, through the
    page's queue (route 'page', Gradio's /gradio_api/call/ask) or the OpenAI-compatible API ('api')."""
    from ui.server import BackgroundServer, create_server

    server = BackgroundServer(create_server(assistant))
    try:
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        child = context.Process(target=_client_process, args=(server.url, clients, seconds, route, results), daemon=True)
        child.start()
        report: dict[str, Any] = results.get(timeout=seconds + 300)
        child.join(timeout=30)
    finally:
        server.close()
    return report
