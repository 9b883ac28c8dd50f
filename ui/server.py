"""What `qa serve` runs: one FastAPI app holding the chat page (Gradio, mounted at /) and the
OpenAI-compatible API (/v1), behind one login, with a Content-Security-Policy on every response.

Login: with QA_UI_AUTH or QA_UI_USERS_FILE set, the page asks for a user and password, and the
API takes the same pair as HTTP Basic, or as a Bearer token written `user:password` (what Open
WebUI and the openai SDK send as their API key). Failed logins, on the page or the API, are
limited per client address.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import secrets
import socket
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

import gradio as gr
import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa.assistant import Assistant
from qa.config import Settings
from qa.errors import ConfigError, InputError, QAError
from qa.offline import use_offline_defaults
from ui import gradio_sessions
from ui.app import build_app, page_assets
from ui.openai_api import chat_router, error_body

# Images only from the page itself (Gradio draws some as data: and blob: URLs), so text that slips
# into the page cannot make the browser fetch from elsewhere; no plugins, no foreign framing.
CONTENT_SECURITY_POLICY = "img-src 'self' data: blob:; object-src 'none'; base-uri 'self'; frame-ancestors 'self'"
LOGIN_ATTEMPTS = 5
LOGIN_WINDOW_SECONDS = 300.0


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_exposure(settings: Settings, read_only: bool) -> None:
    """Off loopback, anyone who reaches the port could upload and delete: require login or read-only."""
    if not is_loopback(settings.ui_host) and not settings.ui_credentials() and not read_only:
        raise ConfigError(
            f"Serving on {settings.ui_host} without a login lets anyone on the network upload and delete documents. "
            "Set QA_UI_AUTH=user:password (or QA_UI_USERS_FILE), or pass --read-only."
        )


@dataclass
class LoginThrottle:
    """At most `attempts` failed logins per client address within `window` seconds; then 429 until they age out."""

    attempts: int = LOGIN_ATTEMPTS
    window: float = LOGIN_WINDOW_SECONDS
    _failures: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._failures[client]
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            del self._failures[client]  # so the table holds only clients that failed lately
        return failures

    def retry_after(self, client: str) -> float:
        """Seconds until this client may try again; 0 when it may now."""
        now = time.monotonic()
        with self._lock:
            failures = self._recent(client, now)
            return failures[0] + self.window - now if len(failures) >= self.attempts else 0.0

    def failed(self, client: str) -> None:
        with self._lock:
            self._failures[client].append(time.monotonic())


def api_user(header: str, credentials: list[tuple[str, str]]) -> str | None:
    """The user an Authorization header (Basic, or Bearer 'user:password') names, if its password is right."""
    scheme, _, value = header.partition(" ")
    pair = value.strip()
    if scheme.lower() == "basic":
        try:
            pair = base64.b64decode(pair, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
    elif scheme.lower() != "bearer":
        return None
    user, sep, password = pair.partition(":")
    if not sep:
        return None
    matched = None
    for known_user, known_password in credentials:
        # Compare every pair in full, so the time taken does not say which user exists.
        if secrets.compare_digest(user.encode(), known_user.encode()) & secrets.compare_digest(password.encode(), known_password.encode()):
            matched = known_user
    return matched


class Guard:
    """Login throttling, the API's login and the Content-Security-Policy on every response, as plain
    ASGI: Starlette's BaseHTTPMiddleware (`@app.middleware`) made each open page's stream pay a task
    group for every disconnect check, 41% of a loaded server's time."""

    def __init__(self, app: ASGIApp, credentials: list[tuple[str, str]], admins: frozenset[str], throttle: LoginThrottle) -> None:
        self.app, self.credentials, self.admins, self.throttle = app, credentials, admins, throttle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope["client"][0] if scope.get("client") else "unknown"
        path = scope["path"]
        is_api = path.startswith("/v1/")
        is_login = path.rstrip("/") == "/login" and scope["method"] == "POST"
        user: str | None = None
        refusal: Response | None = None
        if (is_api or is_login) and self.credentials and (wait := self.throttle.retry_after(client)):
            refusal = JSONResponse(error_body("Too many failed logins; try again later.", "rate_limit_error"), 429,
                                   headers={"Retry-After": str(int(wait) + 1)})
        elif is_api and self.credentials and (user := api_user(Headers(scope=scope).get("authorization", ""), self.credentials)) is None:
            self.throttle.failed(client)
            refusal = JSONResponse(
                error_body("Login required: send the page's user and password as HTTP Basic, or as the Bearer token "
                           "user:password.", "authentication_error"), 401, headers={"WWW-Authenticate": 'Basic realm="qa-policy"'})
        if refusal is not None:
            refusal.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
            await refusal(scope, receive, send)
            return
        # Whose questions these are: other users' unshared uploads stay out of their answers (admins see all).
        # Without login, anyone: the shared documents only.
        scope.setdefault("state", {})["viewer"] = None if self.credentials and user in self.admins else (user or "")

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-security-policy"]
                message = {**message, "headers": [*headers, (b"content-security-policy", CONTENT_SECURITY_POLICY.encode())]}
                if is_login and message["status"] == 400:
                    self.throttle.failed(client)
            await send(message)

        await self.app(scope, receive, send_with_policy)


def create_server(assistant: Assistant, read_only: bool = False) -> FastAPI:
    """The chat page at / and the OpenAI-compatible API at /v1, with login, CSP and login throttling."""
    settings = assistant.settings
    credentials = settings.ui_credentials()
    throttle = LoginThrottle()
    gradio_sessions.install()
    app = FastAPI(title="qa-policy", docs_url=None, redoc_url=None, openapi_url=None)

    app.add_middleware(Guard, credentials=credentials, admins=settings.admins(), throttle=throttle)

    @app.exception_handler(QAError)
    async def user_error(request: Request, exc: QAError) -> JSONResponse:
        status = 400 if isinstance(exc, InputError) else 503
        return JSONResponse(error_body(str(exc), "invalid_request_error"), status)

    # Routes before the mount: the page at "/" would otherwise answer every path.
    app.include_router(chat_router(assistant))
    # Queue positions are sent once a second, not to every waiting event each time one starts
    # ("auto"): with 200 waiting, that was 200 messages per answer.
    blocks = build_app(assistant, read_only=read_only).queue(
        default_concurrency_limit=settings.answer_workers, max_size=settings.queue_size, status_update_rate=1.0
    )
    return gr.mount_gradio_app(
        app, blocks, path="/", server_name=settings.ui_host, server_port=settings.ui_port, footer_links=[],
        auth=credentials or None, show_error=False, allowed_paths=[], max_file_size=f"{settings.max_file_mb:g}mb",
        **page_assets(),
    )


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound before the server starts, so port 0 gets a free port we can name."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


class BackgroundServer:
    """The server on its own thread (tests, the benchmark); `close()` shuts it down."""

    def __init__(self, app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> None:
        self._socket = bind(host, port)
        self.url = f"http://{'[' + host + ']' if ':' in host else host}:{self._socket.getsockname()[1]}"
        # Open pages hold streaming connections; waiting for them to end made every close take 30 s.
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, name="qa-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 60
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server on {self.url} did not start")
            time.sleep(0.05)

    def close(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
        self._socket.close()


def serve(assistant: Assistant, read_only: bool = False, announce: Callable[[str], None] = print) -> None:
    """Serve the page and the API on settings.ui_host:ui_port until the process is stopped (Ctrl+C);
    `announce` is told the address once it is bound."""
    use_offline_defaults()
    settings = assistant.settings
    check_exposure(settings, read_only)
    sock = bind(settings.ui_host, settings.ui_port)
    host, port = sock.getsockname()[:2]
    announce(f"http://{'[' + host + ']' if ':' in host else host}:{port}")
    config = uvicorn.Config(create_server(assistant, read_only), log_level="warning", timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[sock])


__all__ = ["CONTENT_SECURITY_POLICY", "BackgroundServer", "check_exposure", "create_server", "serve"]
