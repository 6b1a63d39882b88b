"""Load benchmark (not a test): the public pages under gunicorn, loaded with wrk, against a bare Flask route
rendering a template of the same size, on a small and a large city (bench/bigcity.py).

    .venv/bin/python bench/bigcity.py --database-url postgresql+psycopg://townhall:townhall@127.0.0.1:5432/townhall_bench_small --scale small
    .venv/bin/python bench/bigcity.py --database-url postgresql+psycopg://townhall:townhall@127.0.0.1:5432/townhall_bench_large --scale large
    .venv/bin/python bench/load.py \\
        --small postgresql+psycopg://townhall:townhall@127.0.0.1:5432/townhall_bench_small \\
        --large postgresql+psycopg://townhall:townhall@127.0.0.1:5432/townhall_bench_large

Needs wrk (`apt-get install -y wrk`). For each city it serves the app with gunicorn on 127.0.0.1
(production config, a random SECRET_KEY, the city's DATABASE_URL, public write limits raised through
PUBLIC_WRITE_RATE_LIMIT so the run measures the app rather than the limiter, Redis for the limits only with
--redis-url) and a bare Flask app (bench/baseline_app.py) with the same gunicorn settings. Each target gets a
warm-up, then a timed wrk run, then the baseline at the target's response size is run right after it, so
both see the same machine load. For each target it prints requests/s, p50 and p99 latency, the ratio to
the baseline's requests/s and the number of SQL statements the request runs (counted in-process with a
SQLAlchemy event, with the page cache off, so they are what a full render costs; a cache hit runs
none). wrk sends no cookies, so with the public page cache on (the default, as in production) the
cacheable pages are served from it; --no-cache measures rendering instead. The registration POST sends a
valid CSRF token and session cookie and a unique contact per request; the run checks that every request
created one registration. Then it prints how latency moved from the small city to the large one.

Targets: every public page at least 30% of the baseline's requests/s, no page over 10 SQL statements,
latency flat from the small to the large city (p50 within 1.5x, a margin for a shared machine).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

import citygen  # noqa: E402

TARGET_RATIO = 0.30
MAX_QUERIES = 10
FLAT_P50 = 1.5
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REGISTRATION_NAME = "压测市民"

PAGES = (
    ("meeting list", "/meetings"),
    ("meeting archive", "/meetings?when=past"),
    (f"meeting page ({citygen.BIG_APPROVED:,} questions)", f"/meetings/{citygen.BIG_MEETING_ID}"),
    ("its questions, by votes", f"/meetings/{citygen.BIG_MEETING_ID}/questions"),
    ("action tracker", "/actions"),
    ("meeting .ics", f"/meetings/{citygen.BIG_MEETING_ID}.ics"),
    ("calendar feed .ics", "/calendar.ics"),
)
REGISTER = ("registration POST", f"/meetings/{citygen.REGISTRATION_MEETING_ID}/register")


def say(message: str = "") -> None:
    print(message, flush=True)


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


@dataclass
class Result:
    label: str
    path: str
    size: int
    queries: int
    page: Run
    baseline: Run
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.page.rps / self.baseline.rps if self.baseline.rps else 0.0


@dataclass
class Settings:
    duration: int
    warmup: int
    threads: int
    connections: int
    workers: int
    redis_url: str | None
    cache: bool
    secret: str = field(default_factory=lambda: secrets.token_hex(32))


# ---------------------------------------------------------------------------- servers

class Server:
    """gunicorn on 127.0.0.1:port, stopped by its own process id."""

    def __init__(self, name: str, app: str, chdir: Path, port: int, env: dict, settings: Settings, logs: Path):
        self.name, self.port = name, port
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.log = open(logs / f"{name}.log", "w")
        self.process = subprocess.Popen(
            [str(gunicorn), "-w", str(settings.workers), "-k", "sync", "-b", f"127.0.0.1:{port}",
             "--chdir", str(chdir), app],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"{self.name} did not answer {path} within {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def app_env(url: str, settings: Settings, port: int) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "RATELIMIT_STORAGE_URI", "TEST_DATABASE_URL")}
    env.update(TOWNHALL_CONFIG="production", SECRET_KEY=settings.secret, DATABASE_URL=url,
               PUBLIC_WRITE_RATE_LIMIT="1000000 per minute", PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
               MAIL_DEFAULT_SENDER="Townhall <noreply@bench.example>")
    if settings.redis_url:
        env["REDIS_URL"] = settings.redis_url
    if not settings.cache:
        env["PUBLIC_CACHE_SECONDS"] = "0"
    return env


def get(url: str, headers: dict | None = None) -> tuple[bytes, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read(), response.headers


# ---------------------------------------------------------------------------- wrk

def wrk(url: str, settings: Settings, seconds: int, args: list[str] | None = None) -> Run:
    command = ["wrk", "-t", str(settings.threads), "-c", str(settings.connections), "-d", f"{seconds}s",
               "--timeout", "30s", "-s", str(BENCH / "load.lua"), url]
    if args:
        command += ["--", *args]
    output = subprocess.run(command, capture_output=True, text=True, check=True,
                            timeout=seconds + 120).stdout
    data = json.loads(output.strip().splitlines()[-1])
    errors = sum(data[k] for k in data if k.startswith("errors_"))
    return Run(rps=data["requests"] / (data["duration_us"] / 1e6), p50_ms=data["p50_us"] / 1000,
               p99_ms=data["p99_us"] / 1000, requests=data["requests"], errors=errors)


def measure(url: str, settings: Settings, args: list[str] | None = None) -> tuple[Run, int]:
    """The timed run, and how many requests the warm-up before it completed. A POST's contact prefix
    (args[4]) gets a suffix per run, since each wrk run numbers its requests from 1 again."""
    def run_args(suffix):
        return args and [*args[:4], args[4] + suffix, *args[5:]]

    warm = wrk(url, settings, settings.warmup, run_args("w")).requests if settings.warmup else 0
    return wrk(url, settings, settings.duration, run_args("t")), warm


class Baseline:
    """The bare route at a given response size: rows = (size - empty page) / bytes per row."""

    def __init__(self, server: Server):
        self.server = server
        empty = len(get(f"{server.base}/render/0")[0])
        hundred = len(get(f"{server.base}/render/100")[0])
        self.empty, self.per_row = empty, (hundred - empty) / 100

    def url_for_size(self, size: int) -> str:
        return f"{self.server.base}/render/{max(0, round((size - self.empty) / self.per_row))}"


# ---------------------------------------------------------------------------- in-process query counts

class QueryCounter:
    """The app in this process (production config, the same database), counting SQL statements per
    request with a before_cursor_execute listener on its engine. Its page cache is off: the counts are
    what rendering a page costs (a cache hit runs none; the version check runs at most once a second)."""

    def __init__(self, url: str, settings: Settings):
        os.environ.pop("TOWNHALL_CONFIG", None)
        from app import create_app
        from app.extensions import db

        self.db = db
        self.app = create_app("production", SECRET_KEY=settings.secret, SQLALCHEMY_DATABASE_URI=url,
                              PUBLIC_WRITE_RATE_LIMIT="1000000 per minute", RATELIMIT_STORAGE_URI="memory://",
                              PUBLIC_CACHE_SECONDS=0,
                              MAIL_DEFAULT_SENDER="Townhall <noreply@bench.example>")
        self.client = self.app.test_client()

    def _count(self, call) -> tuple[int, object]:
        statements: list[str] = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN", "PRAGMA")):
                statements.append(statement)

        with self.app.app_context():
            engine = self.db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            response = call()
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)
        return len(statements), response

    def page(self, path: str) -> int:
        self.client.get(path, buffered=True)  # warm up: first-request work is not what we count
        count, response = self._count(lambda: self.client.get(path, buffered=True))
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code} in-process")
        return count

    def registration(self, path: str) -> tuple[int, int]:
        """SQL statements of one registration POST (after a first one, so one-time work is not counted),
        and the size of the confirmation page."""
        self._register(path)
        return self._register(path)

    def _register(self, path: str) -> tuple[int, int]:
        client = self.app.test_client()
        base = "https://localhost"  # production cookies are Secure; CSRF then checks the Referer
        page = client.get(path, base_url=base).get_data(as_text=True)
        token = CSRF_RE.search(page).group(1)
        email = f"count-{secrets.token_hex(6)}@bench.example"
        data = {"csrf_token": token, "name": REGISTRATION_NAME, "email": email,
                "submission_id": secrets.token_urlsafe(32)}
        count, response = self._count(lambda: client.post(path, data=data, base_url=base,
                                                          headers={"Referer": base + path}))
        body = response.get_data()
        # The page is the same for a new and a repeat registration (it must not tell which): look for the row.
        with self.app.app_context():
            stored = self.db.session.execute(sa.text("SELECT count(*) FROM registrations WHERE email = :e"),
                                             {"e": email}).scalar_one()
            self.db.session.remove()
        if response.status_code != 200 or stored != 1:
            raise SystemExit(f"POST {path} in-process did not register ({response.status_code})")
        return count, len(body)

    def close(self) -> None:
        with self.app.app_context():
            self.db.session.remove()
            self.db.engine.dispose()


# ---------------------------------------------------------------------------- one city

def check_city(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        approved = conn.execute(sa.text("SELECT count(*) FROM questions WHERE meeting_id = :m AND status = 'approved'"),
                                {"m": citygen.BIG_MEETING_ID}).scalar_one()
    engine.dispose()
    if approved != citygen.BIG_APPROVED:
        raise SystemExit(f"{url}: meeting {citygen.BIG_MEETING_ID} has {approved} published questions, not "
                         f"{citygen.BIG_APPROVED}: fill it with bench/bigcity.py")


def count_registrations(url: str, prefix: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM registrations WHERE email LIKE :p"),
                             {"p": f"{prefix}%"}).scalar_one()
    engine.dispose()
    return count


def bench_city(label: str, url: str, settings: Settings, baseline: Baseline, port: int, logs: Path) -> list[Result]:
    from app.config import _normalise_db_url

    url = _normalise_db_url(url)
    check_city(url)
    say(f"\n== {label}: {sa.engine.make_url(url).render_as_string(hide_password=True)}")
    counter = QueryCounter(url, settings)
    server = Server(f"app-{label}", "run:app", ROOT, port, app_env(url, settings, port), settings, logs)
    results = []
    try:
        server.wait("/meetings")
        for name, path in PAGES:
            queries = counter.page(path)
            size = len(get(server.base + path)[0])
            page, _ = measure(server.base + path, settings)
            base, _ = measure(baseline.url_for_size(size), settings)
            note = "" if page.requests and not page.errors else \
                f"{page.requests} responses and {page.errors} errors in {settings.duration} s"
            results.append(Result(name, path, size, queries, page, base, note))
            say(f"  {name:<28} {page.rps:8.1f} req/s  p50 {page.p50_ms:7.1f} ms  p99 {page.p99_ms:7.1f} ms  "
                f"baseline {base.rps:8.1f} req/s  ratio {results[-1].ratio:4.2f}  {queries} queries  {size:,} bytes")
        name, path = REGISTER
        queries, size = counter.registration(path)
        body, headers = get(server.base + path)
        token = CSRF_RE.search(body.decode()).group(1)
        cookie = SimpleCookie()
        for value in headers.get_all("Set-Cookie") or []:
            cookie.load(value)
        session = "; ".join(f"{k}={m.value}" for k, m in cookie.items())
        prefix = f"bench{secrets.token_hex(4)}"
        args = ["post", path, session, urllib.parse.quote(token, safe=""), prefix,
                urllib.parse.quote(REGISTRATION_NAME)]
        page, warm = measure(server.base + path, settings, args)
        created = count_registrations(url, prefix)
        # wrk counts the requests it saw answered; a request in flight when it stops may still register.
        complete = 0 <= created - (warm + page.requests) <= 2 * settings.connections and not page.errors
        note = "" if complete else \
            f"{created:,} registrations for {warm + page.requests:,} requests, {page.errors} errors"
        base, _ = measure(baseline.url_for_size(size), settings)
        results.append(Result(name, path, size, queries, page, base, note))
        say(f"  {name:<28} {page.rps:8.1f} req/s  p50 {page.p50_ms:7.1f} ms  p99 {page.p99_ms:7.1f} ms  "
            f"baseline {base.rps:8.1f} req/s  ratio {results[-1].ratio:4.2f}  {queries} queries  "
            f"{created:,} registrations created {note}")
    finally:
        server.stop()
        counter.close()
    return results


# ---------------------------------------------------------------------------- report

def table(label: str, results: list[Result]) -> None:
    say(f"\n{label}")
    say(f"  {'target':<28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'base r/s':>9} {'ratio':>6} {'queries':>8}")
    for r in results:
        say(f"  {r.label:<28} {r.page.rps:8.1f} {r.page.p50_ms:8.1f} {r.page.p99_ms:8.1f} {r.baseline.rps:9.1f} "
            f"{r.ratio:6.2f} {r.queries:8d}" + (f"  ({r.note})" if r.note else ""))


def verdicts(cities: dict[str, list[Result]]) -> list[str]:
    failures = []
    for label, results in cities.items():
        for r in results:
            if r.path != REGISTER[1] and r.ratio < TARGET_RATIO:
                failures.append(f"{label}: {r.label} at {r.ratio:.2f} of the baseline (target {TARGET_RATIO:.2f})")
            if r.queries > MAX_QUERIES:
                failures.append(f"{label}: {r.label} runs {r.queries} SQL statements (at most {MAX_QUERIES})")
            if r.note:
                failures.append(f"{label}: {r.label}: {r.note}")
    if "small" in cities and "large" in cities:
        for small, large in zip(cities["small"], cities["large"]):
            if not large.page.requests or large.page.p50_ms > FLAT_P50 * small.page.p50_ms:
                failures.append(f"{small.label}: p50 {small.page.p50_ms:.1f} ms small, "
                                f"{large.page.p50_ms:.1f} ms large")
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", help="database URL of the small city")
    parser.add_argument("--large", help="database URL of the large city")
    parser.add_argument("--duration", type=int, default=10, help="seconds per timed wrk run (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up before each (default 2)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--redis-url", help="Redis for the rate-limit counters (default: in memory)")
    parser.add_argument("--no-cache", action="store_true",
                        help="serve with the public page cache off (PUBLIC_CACHE_SECONDS=0), to measure rendering")
    parser.add_argument("--port", type=int, default=8700, help="first of three ports on 127.0.0.1")
    args = parser.parse_args()
    cities = {label: url for label, url in (("small", args.small), ("large", args.large)) if url}
    if not cities:
        parser.error("give --small and/or --large database URLs")
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    settings = Settings(duration=args.duration, warmup=args.warmup, threads=args.threads,
                        connections=args.connections, workers=args.workers, redis_url=args.redis_url,
                        cache=not args.no_cache)
    say(f"gunicorn -w {settings.workers} -k sync; wrk -t{settings.threads} -c{settings.connections} "
        f"-d{settings.duration}s after {settings.warmup}s warm-up; {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}; rate-limit storage {'Redis' if settings.redis_url else 'memory'}; public page "
        f"cache {'on' if settings.cache else 'off'}")
    results: dict[str, list[Result]] = {}
    with tempfile.TemporaryDirectory(prefix="townhall-load-") as folder:
        logs = Path(folder)
        base_env = {k: v for k, v in os.environ.items() if k != "TOWNHALL_CONFIG"}
        baseline_server = Server("baseline", "baseline_app:app", BENCH, args.port, base_env, settings, logs)
        try:
            baseline_server.wait("/render/1")
            baseline = Baseline(baseline_server)
            for n, (label, url) in enumerate(cities.items(), start=1):
                results[label] = bench_city(label, url, settings, baseline, args.port + n, logs)
        finally:
            baseline_server.stop()
    for label, city in results.items():
        table(f"{label} city", city)
    if len(results) == 2:
        say("\nlatency from the small to the large city")
        say(f"  {'target':<28} {'p50 small':>10} {'p50 large':>10} {'large/small':>12} {'p99 small':>10} "
            f"{'p99 large':>10}")
        for small, large in zip(results["small"], results["large"]):
            growth = large.page.p50_ms / small.page.p50_ms if small.page.p50_ms else float("nan")
            say(f"  {small.label:<28} {small.page.p50_ms:10.1f} {large.page.p50_ms:10.1f} "
                f"{growth:12.2f} {small.page.p99_ms:10.1f} {large.page.p99_ms:10.1f}")
    failures = verdicts(results)
    say("\n" + ("Targets met." if not failures else "Targets missed:\n  " + "\n  ".join(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
