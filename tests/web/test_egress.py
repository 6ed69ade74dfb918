"""The serving process talks to nobody but its own clients (and a configured LLM endpoint).

``python -m assistant serve`` runs as a subprocess; while the pages and the API are used, a watcher samples the
process's sockets (``/proc/<pid>/fd`` → socket inodes, looked up in ``/proc/<pid>/net/{tcp,tcp6,udp,udp6}``) every
few milliseconds, from start-up to shutdown. Every connected socket must have a loopback peer.
"""

from __future__ import annotations

import http.server
import ipaddress
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from awt_web_support import REPO

from tests.support import free_port, stop_process

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletionMessageParam

pytestmark = pytest.mark.integration

TCP_STATES = {
    "01": "ESTABLISHED",
    "02": "SYN_SENT",
    "03": "SYN_RECV",
    "04": "FIN_WAIT1",
    "05": "FIN_WAIT2",
    "06": "TIME_WAIT",
    "07": "CLOSE",
    "08": "CLOSE_WAIT",
    "09": "LAST_ACK",
    "0A": "LISTEN",
    "0B": "CLOSING",
}
QUESTIONS = (
    "Wat is de derde aanbeveling?",
    "Met welke landen moet Nederland samenwerken?",
    "Wat is sociale innovatie?",
)


def _address(hex_addr: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An address as ``/proc/net/tcp*`` writes it: 32-bit words in host (little-endian) byte order."""
    raw = bytes.fromhex(hex_addr)
    return ipaddress.ip_address(b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4)))


def is_loopback(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback


def _process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (the server could start helpers)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            with suppress(OSError):
                todo += [int(c) for c in children.read_text().split()]
    return found


def socket_peers(pid: int) -> set[tuple[str, str, str]]:
    """(protocol, state, "peer:port") of every socket of the process tree that has a peer (not LISTEN/unbound)."""
    peers: set[tuple[str, str, str]] = set()
    for proc in _process_tree(pid):
        inodes = set()
        try:
            for fd in os.scandir(f"/proc/{proc}/fd"):
                try:
                    target = os.readlink(fd.path)
                except OSError:
                    continue
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
        for proto in ("tcp", "tcp6", "udp", "udp6"):
            try:
                lines = Path(f"/proc/{proc}/net/{proto}").read_text().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                fields = line.split()
                remote, state, inode = fields[2], fields[3], fields[9]
                if inode not in inodes:
                    continue
                host_hex, port_hex = remote.split(":")
                address, port = _address(host_hex), int(port_hex, 16)
                if address.is_unspecified and port == 0:
                    continue  # listening or unconnected
                name = TCP_STATES.get(state, state) if proto.startswith("tcp") else "UDP"
                peers.add((proto, name, f"{address}:{port}"))
    return peers


class SocketWatcher(threading.Thread):
    """Samples :func:`socket_peers` of a process until stopped (short-lived connections are seen too)."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.seen: set[tuple[str, str, str]] = set()
        self.samples = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.seen |= socket_peers(self.pid)
            self.samples += 1
            time.sleep(self.interval)

    def foreign(self) -> list[tuple[str, str, str]]:
        return sorted(p for p in self.seen if not is_loopback(ipaddress.ip_address(p[2].rsplit(":", 1)[0])))


@contextmanager
def served(env: dict[str, str]) -> Iterator[tuple[str, SocketWatcher]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    watcher = SocketWatcher(process.pid)
    watcher.start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            assert process.poll() is None, process.stdout.read() if process.stdout else "de server stopte"
            try:
                health = httpx.get(f"{url}/api/health", timeout=5, trust_env=False)
                if health.status_code == 200 and health.json()["chat"] == "klaar":  # the API answers earlier
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "de server kwam niet op"
            time.sleep(0.25)
        yield url, watcher
    finally:
        stop_process(process)
        watcher.stop.set()
        watcher.join(timeout=5)
        if process.stdout:
            process.stdout.close()


def use_the_app(url: str) -> list[dict[str, object]]:
    """Pages, /api, the OpenAI-compatible /v1 (with the openai package) and the Gradio API /ask (gradio_client)."""
    import openai
    from gradio_client import Client

    answers = []
    with httpx.Client(base_url=url, timeout=60, trust_env=False) as http:
        assert http.get("/").status_code == 200
        assert http.get("/embed/").status_code == 200
        for question in QUESTIONS:
            response = http.post("/api/ask", json={"question": question})
            assert response.status_code == 200, response.text
            answers.append(response.json())
    llm = openai.OpenAI(base_url=f"{url}/v1", api_key="geen-sleutel-nodig", max_retries=0, timeout=60)
    assert [m.id for m in llm.models.list()] == ["awt-assistent"]
    for question in QUESTIONS:
        messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": question}]
        completion = llm.chat.completions.create(model="awt-assistent", messages=messages)
        assert completion.model_extra is not None
        answers.append(completion.model_extra["awt"])
        assert list(llm.chat.completions.create(model="awt-assistent", messages=messages, stream=True))
    gradio = Client(url + "/", verbose=False, download_files=False)
    try:
        answers += [gradio.predict(question, api_name="/ask") for question in QUESTIONS]
    finally:
        gradio.close()
    return answers


def test_proc_parsing_sees_this_process_own_connection() -> None:
    """The watcher itself works: a loopback connection of this process shows up, with its peer."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)):
            peers = socket_peers(os.getpid())
    assert ("tcp", "ESTABLISHED", f"127.0.0.1:{port}") in peers
    assert _address("0100007F") == ipaddress.ip_address("127.0.0.1")
    assert not is_loopback(_address("0101A8C0"))  # 192.168.1.1


def test_the_server_connects_to_nothing_but_loopback(model_cache: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "AWT_DATA_DIR": str(tmp_path / "data"),
        "AWT_MODEL_CACHE_DIR": str(model_cache),
        "AWT_RATE_LIMIT": "0",
    }
    with served(env) as (url, watcher):
        answers = use_the_app(url)
        time.sleep(0.5)  # a few more samples after the last answer
    assert len(answers) == 3 * len(QUESTIONS) and all(a["citations"] for a in answers)
    assert watcher.samples > 10
    assert any(p[1] == "ESTABLISHED" for p in watcher.seen), "de watcher zag zelfs de eigen verbindingen niet"
    assert watcher.foreign() == []


class _FakeOpenAI(http.server.BaseHTTPRequestHandler):
    """Answers every chat completion with a sentence that cites passage [1] verbatim-ish; counts requests."""

    calls: list[str] = []
    protocol_version = "HTTP/1.1"  # keep-alive: the client's pooled connection stays visible to the watcher

    def _send(self, content_type: str, payload: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("content-length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        type(self).calls.append(self.path)
        time.sleep(1.0)  # an LLM takes its time: the connection stays open long enough for the watcher to see it,
        # also when the machine is busy and the watcher samples late
        text = "Het advies noemt dit [1]."
        if body.get("stream"):
            chunk = {"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]}
            self._send("text/event-stream", f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode())
            return
        payload = {
            "id": "x",
            "object": "chat.completion",
            "model": "nep",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        }
        self._send("application/json", json.dumps(payload).encode())

    def do_GET(self) -> None:  # noqa: N802
        self._send("application/json", b'{"object": "list", "data": [{"id": "nep", "object": "model"}]}')

    def log_message(self, *_: object) -> None:
        pass


def test_with_an_llm_endpoint_the_only_other_peer_is_that_endpoint(model_cache: Path, tmp_path: Path) -> None:
    _FakeOpenAI.calls = []
    llm = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeOpenAI)
    llm_port = llm.server_address[1]
    thread = threading.Thread(target=llm.serve_forever, daemon=True)
    thread.start()
    env = {
        **os.environ,
        "AWT_DATA_DIR": str(tmp_path / "data"),
        "AWT_MODEL_CACHE_DIR": str(model_cache),
        "AWT_RATE_LIMIT": "0",
        "AWT_LLM": "openai",
        "AWT_LLM_BASE_URL": f"http://127.0.0.1:{llm_port}/v1",
        "AWT_LLM_MODEL": "nep",
        "AWT_LLM_API_KEY": "nep",
    }
    try:
        with served(env) as (url, watcher):
            with httpx.Client(base_url=url, timeout=60, trust_env=False) as http_client:
                for question in QUESTIONS:
                    http_client.post("/api/ask", json={"question": question})  # any answer: only the traffic counts
                    chat = {"model": "awt-assistent", "messages": [{"role": "user", "content": question}]}
                    http_client.post("/v1/chat/completions", json=chat)
            time.sleep(0.5)
    finally:
        llm.shutdown()
        llm.server_close()
    assert _FakeOpenAI.calls, "de server vroeg het ingestelde taalmodel niets"
    assert watcher.foreign() == []
    assert any(p[2] == f"127.0.0.1:{llm_port}" for p in watcher.seen), (
        "verbinding met het taalmodel niet gezien",
        sorted(watcher.seen),
    )
