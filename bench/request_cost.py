"""CPU time per request inside one server process, with no network and no concurrency.

Usage: python -m bench.request_cost [--scenario NAME] [--requests N] [--instructions]
                                   [--profile [--sort cumulative] [--restrict ...]]
(scenarios: list, cursor, get, get-miss, create, batch, health, login, patch)

wrk measures what a client sees; this measures what one request costs the process, so an
optimization shows up as microseconds rather than as noisy requests per second. It seeds its
own database (1 user x 10,000 tasks), builds the app in-process in services mode and drives it
with raw ASGI calls. `--profile` prints cProfile's top functions (every request runs on the
event loop).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import re
import subprocess
import sys
import time
from collections.abc import Callable, MutableMapping
from typing import Any

import orjson
import redis
import uvloop

from bench.seed import PASSWORD, recreate_postgres, seed

DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/taskflow_bench_cost"
REDIS = "redis://127.0.0.1:6379/10"
CREDENTIALS = {"email": "bench0@example.com", "password": PASSWORD}

Message = MutableMapping[str, Any]
Asgi = Callable[..., Any]


async def call(app: Asgi, method: str, path: str, *, token: str = "", body: bytes = b"") -> Message:
    """One request straight through the ASGI app; returns the response start and body."""
    path, _, query = path.partition("?")
    headers = [(b"host", b"bench"), (b"content-type", b"application/json")]
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return {"status": sent[0]["status"], "body": b"".join(m.get("body", b"") for m in sent[1:])}


async def run(options: argparse.Namespace) -> None:
    from server.app import create_server_app

    app = create_server_app()
    startup: asyncio.Queue[Message] = asyncio.Queue()
    await startup.put({"type": "lifespan.startup"})
    started = asyncio.Event()

    async def lifespan_send(message: Message) -> None:
        started.set()

    lifespan = asyncio.create_task(
        app(
            {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
            startup.get,
            lifespan_send,
        )
    )
    await started.wait()
    login = await call(
        app,
        "POST",
        "/auth/login",
        body=orjson.dumps(CREDENTIALS),
    )
    token = orjson.loads(login["body"])["accessToken"]
    method, paths, status, body = await _requests(app, token, options)
    warm_up = len(paths) - options.requests
    for path in paths[:warm_up]:  # warm caches, pools and compiled statements
        await call(app, method, path, token=token, body=body)

    profile = cProfile.Profile(time.process_time)
    if options.profile:
        profile.enable()
    _count_instructions(options, True)
    wall, cpu = time.perf_counter(), time.process_time()
    for path in paths[warm_up:]:
        response = await call(app, method, path, token=token, body=body)
        assert response["status"] == status, response
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    _count_instructions(options, False)
    profile.disable()
    per = 1e6 / options.requests
    print(f"{options.scenario}: {cpu * per:.0f} µs CPU, {wall * per:.0f} µs wall per request")
    if options.profile:
        pstats.Stats(profile).sort_stats(options.sort).print_stats(*options.restrict)
    await startup.put({"type": "lifespan.shutdown"})
    await lifespan


async def _requests(
    app: Asgi, token: str, options: argparse.Namespace
) -> tuple[str, list[str], int, bytes]:
    """The scenario's method, paths (warm-up requests first), expected status and body."""
    tasks = orjson.loads((await call(app, "GET", "/tasks?limit=20", token=token))["body"])
    method, path, status, body = {
        "list": ("GET", "/tasks?limit=20", 200, b""),
        "cursor": ("GET", f"/tasks?limit=20&cursor={tasks['meta']['nextCursor']}", 200, b""),
        "get": ("GET", f"/tasks/{tasks['data'][0]['id']}", 200, b""),
        "get-miss": ("GET", "", 200, b""),
        "create": ("POST", "/tasks", 201, orjson.dumps({"title": "Bench", "priority": "HIGH"})),
        "batch": ("POST", "/tasks/batch", 200, b""),
        "health": ("GET", "/health", 200, b""),
        "login": ("POST", "/auth/login", 200, orjson.dumps(CREDENTIALS)),
        "patch": ("PATCH", f"/tasks/{tasks['data'][0]['id']}", 200, b'{"priority": "LOW"}'),
    }[options.scenario]
    warm_up = 20 if options.scenario in ("batch", "login") else 300
    paths = [path] * (warm_up + options.requests)
    if options.scenario == "get-miss":
        # Each request asks for a task no request asked for before, in a cache emptied first.
        paths = [f"/tasks/{task_id}" for task_id in await _task_ids(app, token, len(paths))]
        redis.Redis.from_url(REDIS).flushdb()
    if options.scenario == "batch":
        # As `make bench`: complete the same 1,000 tasks again and again (the first time
        # completes them; later ones find them done, but still lock and report each).
        ids = await _task_ids(app, token, 1000)
        body = orjson.dumps({"action": "complete", "tasks": ids})
    return method, paths, status, body


async def _task_ids(app: Asgi, token: str, count: int) -> list[str]:
    ids: list[str] = []
    page = 1
    while len(ids) < count:
        answer = await call(app, "GET", f"/tasks?limit=100&page={page}", token=token)
        found = [task["id"] for task in orjson.loads(answer["body"])["data"]]
        if not found:
            raise SystemExit(f"get-miss needs {count} tasks; the database has {len(ids)}")
        ids += found
        page += 1
    return ids[:count]


def _count_instructions(options: argparse.Namespace, on: bool) -> None:
    # Inside `--instructions`' valgrind: count only the timed requests.
    if os.environ.get(_UNDER_CALLGRIND):
        state = "on" if on else "off"
        subprocess.run(["callgrind_control", f"--instr={state}", str(os.getpid())], check=True)


def _instructions_per_request(options: argparse.Namespace) -> None:
    """Run this script again under callgrind and print its instructions per request.

    Instructions, unlike seconds, do not move with what else the machine is doing: the
    same code gives the same count, so a change of a few percent shows up reliably.
    """
    argv = [a for a in sys.argv[1:] if a != "--instructions"]
    callgrind = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        "--callgrind-out-file=/dev/null",
    ]
    done = subprocess.run(
        [*callgrind, sys.executable, "-m", "bench.request_cost", *argv],
        env=os.environ | {_UNDER_CALLGRIND: "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    collected = re.search(r"Collected : (\d+)", done.stderr)
    assert collected, done.stderr[-2000:]
    per_request = int(collected.group(1)) / options.requests
    print(f"{options.scenario}: {per_request / 1000:.0f} k instructions per request")


_UNDER_CALLGRIND = "TASKFLOW_BENCH_UNDER_CALLGRIND"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scenario",
        choices=[
            "list",
            "cursor",
            "get",
            "get-miss",
            "create",
            "batch",
            "health",
            "login",
            "patch",
        ],
        default="list",
    )
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--sort", choices=["tottime", "cumulative"], default="tottime", help="profile order"
    )
    parser.add_argument(
        "--restrict",
        nargs="*",
        default=[25],
        type=lambda value: int(value) if value.isdigit() else value,
        help="pstats restrictions: a number of lines, or a regular expression of file names",
    )
    parser.add_argument("--reseed", action="store_true", help="recreate the database first")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions per request under valgrind's callgrind (slow, but repeatable)",
    )
    options = parser.parse_args()
    os.environ |= {
        "TASKFLOW_ENV": "production",
        "TASKFLOW_JWT_SECRET": "bench-secret-" + "c" * 40,
        "TASKFLOW_DATABASE_URL": DATABASE,
        "TASKFLOW_REDIS_URL": REDIS,
        "TASKFLOW_RATE_LIMIT": "0",
        "TASKFLOW_AUTH_RATE_LIMIT": "0",
        "TASKFLOW_OVERDUE_SCAN_INTERVAL": "0",
        "TASKFLOW_LOG_LEVEL": "WARNING",
    }
    if options.reseed or not _seeded():
        recreate_postgres(DATABASE)
        seed(DATABASE, users=1, tasks_per_user=10_000)
    if options.instructions:
        _instructions_per_request(options)
    else:
        # uvloop, as `taskflow server` runs (uvicorn picks it when it is installed).
        uvloop.run(run(options))


def _seeded() -> bool:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    try:
        with create_engine(DATABASE).connect() as connection:
            return bool(connection.execute(text("SELECT count(*) FROM users")).scalar())
    except SQLAlchemyError:
        return False


if __name__ == "__main__":
    main()
