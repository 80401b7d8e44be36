"""Load the real server over HTTP: ``/v1/simulations`` against ``/healthz``, and batches.

Run: ``python bench/load.py [--seconds 8] [--connections 16] [--rounds 2]``. It starts
``tradeassist serve`` (uvicorn, one process, the embedded defaults on a throwaway data
directory, no embedded worker) in a subprocess on a free port of 127.0.0.1, and drives it
from this process with ``--connections`` keep-alive connections (asyncio streams and
pre-built HTTP/1.1 requests, so the client costs little next to the server on a shared
machine). Every phase is bounded by time and by count; nothing leaves 127.0.0.1.

Phases, in one run on one server: ``/healthz`` and ``POST /v1/simulations`` (four texts in
turn) alternate ``--rounds`` times for ``--seconds`` each, so the two rates are measured
under the same load; then simulations whose every text is new (the parser's remembered
results do not help); then ``POST /v1/simulations/batch`` with ``--batch`` items, answered
as one JSON document and as NDJSON (``Accept: application/x-ndjson``; ``--formats json``
for a server without it), ``--batches`` requests each on two connections. Prints rates,
p50/p99 latencies and the machine's load (``uptime``); results are in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
KEY = "demo-product-api-key"
TEXTS = ("buy 0.01 BTC", "sell 1 ETH at 3250", "convert 1 ETH to SOL", "buy 500 USDT of ETH")
BALANCES = {"USDT": "10000", "ETH": "2"}
MAX_REQUESTS = 200_000  # per phase, whatever --seconds says


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(port: int, data_dir: str) -> subprocess.Popen[bytes]:
    """``tradeassist serve`` on ``port``, ready (``/healthz`` answers) or an error."""
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "TRADEASSIST_DATA_DIR": data_dir,
        "TRADEASSIST_EMBEDDED_WORKER": "false",
        # The simulation limits are checked on every request (their cost is measured), but
        # the load is the point: no bound is reached.
        "TRADEASSIST_RATE_SIMULATIONS_PER_PRINCIPAL": str(10**9),
        "TRADEASSIST_RATE_SIMULATIONS_PER_IP": str(10**9),
    }
    command = [sys.executable, "-m", "web.cli", "serve", "--host", HOST, "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the server did not answer /healthz within 60 s")


def request(method: str, path: str, body: object | None = None, accept: str = "") -> bytes:
    """One HTTP/1.1 request, keep-alive, as bytes."""
    data = b"" if body is None else json.dumps(body).encode()
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {HOST}",
        f"Authorization: Bearer {KEY}",
        *([f"Accept: {accept}"] if accept else []),
        *(["Content-Type: application/json"] if body is not None else []),
        f"Content-Length: {len(data)}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """Status and body of one response (``Content-Length`` or chunked)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    headers = head.lower()
    if b"transfer-encoding: chunked" in headers:
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return status, b"".join(parts)
            parts.append(chunk[:-2])
    start = headers.index(b"content-length:") + len(b"content-length:")
    length = int(headers[start : headers.index(b"\r\n", start)])
    return status, await reader.readexactly(length)


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process ``pid`` has used (every thread), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


SERVER_PID = 0  # set by main(): whose CPU each phase counts


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    items: int = 0
    elapsed: float = 0.0
    cpu: float = 0.0  # the server's CPU seconds during the phase

    @property
    def cpu_ms(self) -> float:
        """The server's CPU per request, ms: what it costs whatever else the machine runs."""
        return self.cpu * 1000 / max(1, len(self.latencies))

    def line(self, unit: str = "req/s", per: int = 1) -> str:
        lat = sorted(self.latencies)
        n = len(lat)
        p50, p99 = lat[n // 2], lat[min(n - 1, int(n * 0.99))]
        rate = n * per / self.elapsed
        fails = f"  FAILED {self.failures}" if self.failures else ""
        return (
            f"{self.name:<34} n={n:<6} {rate:>8,.0f} {unit:<7} "
            f"p50 {p50 * 1000:7.2f} ms  p99 {p99 * 1000:7.2f} ms  "
            f"server CPU {self.cpu_ms:6.3f} ms/req{fails}"
        )


async def drive(
    port: int,
    phase: Phase,
    make: Callable[[int], bytes],
    check: Callable[[bytes], int],
    *,
    connections: int,
    seconds: float,
    max_requests: int = MAX_REQUESTS,
) -> Phase:
    """``connections`` keep-alive connections sending ``make(i)`` back to back until
    ``seconds`` pass or ``max_requests`` are sent; ``check`` counts a body's items."""
    sent = 0
    stop = time.perf_counter() + seconds

    async def connection() -> None:
        nonlocal sent
        reader, writer = await asyncio.open_connection(HOST, port, limit=1 << 24)
        try:
            while time.perf_counter() < stop and sent < max_requests:
                i, sent = sent, sent + 1
                began = time.perf_counter()
                writer.write(make(i))
                status, body = await read_response(reader)
                phase.latencies.append(time.perf_counter() - began)
                if status != 200:
                    phase.failures += 1
                else:
                    phase.items += check(body)
        finally:
            writer.close()

    began, cpu = time.perf_counter(), cpu_seconds(SERVER_PID)
    await asyncio.gather(*(connection() for _ in range(connections)))
    phase.elapsed = time.perf_counter() - began
    phase.cpu = cpu_seconds(SERVER_PID) - cpu
    return phase


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


async def run(opts: argparse.Namespace, port: int) -> None:
    healthz = request("GET", "/healthz")
    singles = [request("POST", "/v1/simulations", {"text": t, "balances": BALANCES}) for t in TEXTS]
    items = [{"text": TEXTS[i % len(TEXTS)], "balances": BALANCES} for i in range(opts.batch)]
    batch_json = request("POST", "/v1/simulations/batch", {"simulations": items})
    batch_ndjson = request(
        "POST", "/v1/simulations/batch", {"simulations": items}, accept="application/x-ndjson"
    )

    def one(body: bytes) -> int:
        return 1

    def results(body: bytes) -> int:
        answers = json.loads(body)["results"]
        return sum(1 for a in answers if a["ok"])

    def lines(body: bytes) -> int:
        return sum(1 for line in body.splitlines() if json.loads(line)["ok"])

    n = opts.connections
    await drive(port, Phase("warm-up"), lambda i: singles[i % 4], one, connections=n, seconds=2)
    print(uptime())
    rates: dict[str, list[float]] = {"healthz": [], "sims": []}
    cpu: dict[str, list[float]] = {"healthz": [], "sims": []}
    for _ in range(opts.rounds):
        h = await drive(
            port, Phase(f"GET /healthz ({n} conns)"), lambda i: healthz, one,
            connections=n, seconds=opts.seconds,
        )  # fmt: skip
        s = await drive(
            port, Phase(f"POST /v1/simulations ({n} conns)"), lambda i: singles[i % 4], one,
            connections=n, seconds=opts.seconds,
        )  # fmt: skip
        print(h.line())
        print(s.line())
        rates["healthz"].append(len(h.latencies) / h.elapsed)
        rates["sims"].append(len(s.latencies) / s.elapsed)
        cpu["healthz"].append(h.cpu_ms)
        cpu["sims"].append(s.cpu_ms)
    ratios = [s / h for s, h in zip(rates["sims"], rates["healthz"], strict=True)]
    print("simulations / healthz, req/s: " + ", ".join(f"{r:.2f}x" for r in ratios))
    by_cpu = [h / s for s, h in zip(cpu["sims"], cpu["healthz"], strict=True)]
    print("simulations / healthz, by server CPU per request: ")
    print("  " + ", ".join(f"{r:.2f}x" for r in by_cpu))

    def fresh(i: int) -> bytes:  # a text the server has not parsed yet
        text = f"buy {Decimal('0.01') + Decimal(i) / 10**7} BTC"
        return request("POST", "/v1/simulations", {"text": text, "balances": BALANCES})

    new = await drive(
        port, Phase(f"  the same, every text new ({n})"), fresh, one,
        connections=n, seconds=opts.seconds,
    )  # fmt: skip
    print(new.line())
    best_single = max(rates["sims"])
    formats = {"json": ("JSON", batch_json, results), "ndjson": ("NDJSON", batch_ndjson, lines)}
    for name, body, count in (formats[f] for f in opts.formats.split(",") if opts.batches):
        phase = await drive(
            port, Phase(f"batch of {opts.batch}, {name} (2 conns)"), lambda i, b=body: b, count,
            connections=2, seconds=opts.seconds * 2, max_requests=opts.batches,
        )  # fmt: skip
        rate = phase.items / phase.elapsed
        print(phase.line())
        single_cpu = min(cpu["sims"])
        item_cpu = phase.cpu * 1000 / max(1, phase.items)
        print(
            f"  {phase.items:,} simulations in {phase.elapsed:.2f} s: {rate:,.0f} simulations/s "
            f"= {rate / best_single:.1f}x the single-request rate; server CPU "
            f"{item_cpu:.3f} ms per simulation = {single_cpu / item_cpu:.1f}x less than a request"
        )
    print(uptime())


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--seconds", type=float, default=8.0)
    args.add_argument("--connections", type=int, default=16)
    args.add_argument("--rounds", type=int, default=2)
    args.add_argument("--batch", type=int, default=1000)
    args.add_argument("--batches", type=int, default=12)
    args.add_argument("--formats", default="json,ndjson", help="batch answers to measure")
    opts = args.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        server = start_server(port, data_dir)
        global SERVER_PID
        SERVER_PID = server.pid
        try:
            try:
                import uvloop

                uvloop.run(run(opts, port))
            except ImportError:
                asyncio.run(run(opts, port))
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
