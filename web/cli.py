"""The ``tradeassist`` command: serve, parse, simulate, eval-intents, replay, export,
verify-export, audit, users, keys, sandbox-server.

Imports are deferred to each command so that ``parse`` and ``eval-intents`` never load
ccxt or FastAPI.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI


def _balance(text: str) -> tuple[str, Decimal]:
    code, sep, value = text.partition("=")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        amount = Decimal(-1)
    if not sep or not code.strip() or not amount.is_finite() or amount < 0:
        raise argparse.ArgumentTypeError(
            f"expected CURRENCY=AMOUNT (e.g. USDT=10000), got {text!r}"
        )
    return code.strip().upper(), amount


def _instant(text: str) -> int:
    """An ISO 8601 instant with its zone, as epoch milliseconds."""
    from datetime import datetime

    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"expected an instant with its zone (e.g. 2026-01-01T00:00:00Z), got {text!r}"
        )
    return int(when.timestamp() * 1000)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tradeassist", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the web app (embedded defaults)")
    serve.add_argument("--host", help="bind address (default: TRADEASSIST_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: TRADEASSIST_PORT or 8000)")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="app processes sharing the port (default 1); more than one needs the shared "
        "stores: TRADEASSIST_JOURNAL_URL (Redis) and TRADEASSIST_VENUE=sandbox-remote",
    )

    parse = commands.add_parser("parse", help="parse utterances read one per line on stdin")
    parse.add_argument(
        "--canonical",
        action="store_true",
        help="write the canonical intent format (one JSON object per line)",
    )
    parse.add_argument(
        "--jobs",
        type=int,
        default=0,
        help="parser processes for large inputs (default: one per CPU)",
    )

    simulate = commands.add_parser("simulate", help="parse, plan and preview one request")
    simulate.add_argument("text")
    simulate.add_argument(
        "--balance",
        action="append",
        type=_balance,
        default=[],
        metavar="CCY=AMOUNT",
        help="a balance (repeatable); default: demo",
    )
    simulate.add_argument("--seed", type=int, help="order-book seed (default: settings)")
    simulate.add_argument(
        "--as-of",
        type=_instant,
        help="the instant simulated, e.g. 2026-01-01T00:00:00Z (default: as the API)",
    )

    evaluate = commands.add_parser(
        "eval-intents", help="score the parser on labelled corpora, side by side"
    )
    evaluate.add_argument(
        "files",
        type=Path,
        nargs="*",
        help="corpora (default: dev, tune and blind under tests/intent/corpora)",
    )
    evaluate.add_argument(
        "--failures",
        action="store_true",
        help="list the failures (never those of a blind corpus)",
    )
    dialogues = commands.add_parser(
        "eval-dialogues", help="score the dialogue engine on labelled multi-turn dialogues"
    )
    dialogues.add_argument("files", type=Path, nargs="+")
    dialogues.add_argument(
        "--failures", action="store_true", help="list the failures (never blind ones)"
    )

    replay = commands.add_parser("replay", help="print a session's journal")
    replay.add_argument("session_id")
    replay.add_argument(
        "--verify",
        action="store_true",
        help="check the hash chain and re-run parse, plan and preview on the recorded inputs",
    )

    export = commands.add_parser(
        "export", help="a session's export bundle (zip) for complaint handling"
    )
    export.add_argument("session_id")
    export.add_argument(
        "-o", "--output", type=Path, help="the zip to write (default: session-<id>.zip)"
    )
    export.add_argument(
        "--by", default="cli", help="who exports it, as the manifest records (default: cli)"
    )

    verify_export = commands.add_parser(
        "verify-export", help="check an export bundle: its manifest's hashes and its hash chain"
    )
    verify_export.add_argument("file", type=Path)

    audit = commands.add_parser(
        "audit", help="print the administrators' audit (policy, tiers, disclosure acknowledgements)"
    )
    audit.add_argument("--verify", action="store_true", help="check the audit's hash chain")

    _add_account_commands(commands)

    sandbox = commands.add_parser(
        "sandbox-server", help="serve the sandbox exchange to several app processes"
    )
    sandbox.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    sandbox.add_argument("--port", type=int, default=8765, help="port, 0 for any free one")
    sandbox.add_argument("--seed", type=int, help="order-book seed (default: settings)")
    sandbox.add_argument(
        "--balance",
        action="append",
        type=_balance,
        default=[],
        metavar="CCY=AMOUNT",
        help="every account's opening balance (repeatable); default: demo",
    )
    sandbox.add_argument("--verbose", action="store_true", help="log each request to stderr")

    worker = commands.add_parser(
        "worker", help="follow confirmed orders: settle steps in flight, record later fills"
    )
    worker.add_argument("--once", action="store_true", help="one pass, print what it did")
    worker.add_argument("--interval", type=float, help="seconds between passes (default: settings)")
    return parser


def _operator() -> str:
    """Who the audit says made a change from the command line, unless ``--by`` says."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name for this uid (e.g. a bare container)
        return "cli"


def _add_by(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--by",
        help="who makes the change, as the audit records it (default: cli:<your login name>)",
    )


def _add_account_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``users add|list|disable|rotate`` and ``keys create|list|revoke``: what an
    administrator manages, on the database under TRADEASSIST_DATA_DIR, audited."""
    users = commands.add_parser("users", help="add, list, disable accounts; rotate a token")
    user_commands = users.add_subparsers(dest="users_command", required=True)
    add = user_commands.add_parser("add", help="add an account; prints its token, once")
    add.add_argument("user_id")
    add.add_argument("--role", required=True, choices=["customer", "support", "product", "admin"])
    add.add_argument("--name", help="display name (default: the user id)")
    add.add_argument(
        "--scope",
        action="append",
        dest="scopes",
        help="a scope (repeatable; default: every scope of the role)",
    )
    add.add_argument("--tier", help="the customer tier (default: verified)")
    _add_by(add)
    user_commands.add_parser("list", help="every account (never a token)")
    disable = user_commands.add_parser(
        "disable", help="end an account's access and browser sessions, at once"
    )
    disable.add_argument("user_id")
    _add_by(disable)
    rotate = user_commands.add_parser(
        "rotate", help="a new token for an account (prints it, once); ends its sessions"
    )
    rotate.add_argument("user_id")
    _add_by(rotate)

    keys = commands.add_parser("keys", help="create, list, revoke API keys")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    create = key_commands.add_parser("create", help="issue a key; prints it, once")
    create.add_argument("name")
    create.add_argument(
        "--scope",
        action="append",
        dest="scopes",
        help="a scope (repeatable; default: simulate, all a key may hold)",
    )
    create.add_argument(
        "--expires-in-days", type=int, default=90, help="days until it expires (default 90)"
    )
    _add_by(create)
    key_commands.add_parser("list", help="every key (never a secret)")
    revoke = key_commands.add_parser("revoke", help="revoke a key, at once in every process")
    revoke.add_argument("key_id")
    _add_by(revoke)


def cmd_users(args: argparse.Namespace, stdout: TextIO) -> int:
    from execution.clock import SystemClock, iso
    from execution.policy import DEFAULT_TIER, PolicyStore
    from web.auth import ROLE_SCOPES, AccountError, Principal, Principals
    from web.settings import Settings

    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    principals = Principals(settings.database_path)
    by = getattr(args, "by", None) or _operator()
    now = SystemClock().now_ms()
    try:
        if args.users_command == "list":
            for a in principals.accounts():
                state = (
                    "enabled" if a.disabled_at_ms is None else f"disabled {iso(a.disabled_at_ms)}"
                )
                stdout.write(
                    f"{a.user_id}\t{a.role}\t{a.scopes}\t{a.tier}\t{state}\t{a.display_name}\n"
                )
            return 0
        if args.users_command == "add":
            scopes = frozenset(args.scopes) if args.scopes else ROLE_SCOPES[args.role]
            tier = args.tier or DEFAULT_TIER
            store = PolicyStore(settings.database_path, SystemClock())
            try:
                policy = store.current()
            finally:
                store.close()
            if tier not in policy.tiers:
                raise AccountError(
                    f"policy {policy.version} has no tier {tier!r} "
                    f"(known: {', '.join(sorted(policy.tiers))})"
                )
            principal = Principal(args.user_id, args.name or args.user_id, args.role, scopes, tier)
            token = principals.add(principal, by=by, at_ms=now)
            stdout.write(f"added {args.user_id} ({args.role}); token, shown only now:\n{token}\n")
            return 0
        if args.users_command == "disable":
            ended = principals.disable(args.user_id, by=by, at_ms=now)
            stdout.write(f"disabled {args.user_id}; {ended} browser session(s) ended\n")
            return 0
        token = principals.rotate_token(args.user_id, by=by, at_ms=now)
        stdout.write(
            f"new token for {args.user_id} (the old one no longer works; its sessions ended), "
            f"shown only now:\n{token}\n"
        )
        return 0
    except AccountError as exc:
        print(f"tradeassist users {args.users_command}: {exc}", file=sys.stderr)
        return 2
    finally:
        principals.close()


def cmd_keys(args: argparse.Namespace, stdout: TextIO) -> int:
    from execution.clock import SystemClock, iso
    from web.api_keys import KEY_SCOPES, ApiKeyError, ApiKeys, check_scopes
    from web.settings import Settings

    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    keys = ApiKeys(settings.database_path)
    by = getattr(args, "by", None) or _operator()
    now = SystemClock().now_ms()
    try:
        if args.keys_command == "list":
            for k in keys.all():
                state = (
                    f"revoked {iso(k.revoked_at_ms)} by {k.revoked_by}"
                    if k.revoked_at_ms is not None
                    else ("expired" if k.expires_at_ms <= now else "active")
                )
                stdout.write(
                    f"{k.id}\t{k.prefix}…\t{k.name}\t{' '.join(sorted(k.scopes))}\t"
                    f"created {iso(k.created_at_ms)} by {k.created_by}\t"
                    f"expires {iso(k.expires_at_ms)}\t{state}\n"
                )
            return 0
        if args.keys_command == "create":
            scopes = check_scopes(args.scopes or sorted(KEY_SCOPES))
            key, secret = keys.issue(
                args.name, scopes, expires_in_days=args.expires_in_days, by=by, at_ms=now
            )
            stdout.write(
                f"key {key.id} ({key.prefix}…, expires {iso(key.expires_at_ms)}), "
                f"shown only now:\n{secret}\n"
            )
            return 0
        key = keys.revoke(args.key_id, by=by, at_ms=now)
        stdout.write(f"revoked {key.id} ({key.prefix}…)\n")
        return 0
    except ApiKeyError as exc:
        print(f"tradeassist keys {args.keys_command}: {exc}", file=sys.stderr)
        return 2
    finally:
        keys.close()


def cmd_worker(args: argparse.Namespace, out: TextIO) -> int:
    from execution.worker import Worker, WorkerSettings
    from web.services import build_services, open_worker_lease
    from web.settings import Settings

    settings = Settings()
    if settings.log_format == "json":
        import logging.config

        from web.json_logs import logging_config

        logging.config.dictConfig(logging_config())
    services = build_services(settings)
    interval = args.interval or settings.worker_interval_s
    if not args.once and settings.journal_url is not None and interval >= settings.worker_lease_s:
        print(
            f"tradeassist worker: --interval {interval} must be shorter than "
            f"TRADEASSIST_WORKER_LEASE_S={settings.worker_lease_s} (the lease is renewed once "
            "a pass)",
            file=sys.stderr,
        )
        services.close()
        return 2
    lease = None if args.once else open_worker_lease(settings)
    stop_metrics = None
    worker = Worker(
        services.assistant,
        WorkerSettings(interval_s=interval, grace_ms=settings.reconcile_grace_s * 1000),
        lease,
    )
    try:
        if not args.once and settings.worker_metrics_port is not None:
            from web.metrics import serve_for_worker

            try:
                stop_metrics = serve_for_worker(settings, settings.worker_metrics_port)
            except OSError as exc:
                print(
                    f"tradeassist worker: cannot serve metrics on {settings.host}:"
                    f"{settings.worker_metrics_port} (TRADEASSIST_WORKER_METRICS_PORT): {exc}",
                    file=sys.stderr,
                )
                return 2
        if args.once:
            report, mandates = worker.run_once()
            out.write(
                f"checked {report.checked} step(s) in flight; settled {len(report.settled)}; "
                f"unknown {len(report.unsettled)}; {mandates.checked} armed mandate(s), "
                f"{len(mandates.actions)} action(s)\n"
            )
            for line in report.settled:
                out.write(f"  settled {line}\n")
            for line in report.unsettled:
                out.write(f"  unknown {line}\n")
            for line in mandates.actions:
                out.write(f"  mandate {line}\n")
            for line in mandates.errors:
                out.write(f"  mandate error {line}\n")
            return 0
        for stop_on in (signal.SIGTERM, signal.SIGINT):  # finish the pass, then stop
            signal.signal(stop_on, lambda *_: worker.stop())
        elected = "" if lease is None else f", while it holds the lease {lease.key}"
        print(f"tradeassist worker: a pass every {interval} s{elected}", file=sys.stderr)
        worker.run()
        return 0
    finally:
        if stop_metrics is not None:
            stop_metrics()
        if lease is not None:
            lease.close()
        services.close()


def cmd_serve(args: argparse.Namespace) -> int:
    from web.app import create_app
    from web.settings import Settings

    overrides: dict[str, object] = {
        k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None
    }
    if "TRADEASSIST_EMBEDDED_WORKER" not in os.environ:
        overrides["embedded_worker"] = True  # the one-process default runs its worker too
    settings = Settings(**overrides)  # type: ignore[arg-type]
    if args.workers != 1:
        from web.serving import run_workers

        return run_workers(settings, args.workers)
    print(
        f"tradeassist on http://{settings.host}:{settings.port} "
        f"(mode {settings.mode}, data in {settings.data_dir})",
        file=sys.stderr,
    )
    make_server(create_app(settings), settings.host, settings.port).run()
    return 0


def make_server(app: FastAPI, host: str, port: int) -> uvicorn.Server:
    """uvicorn for ``app``, which ends the app's live streams as soon as it is told to stop
    (SIGTERM, SIGINT): uvicorn waits for open responses to finish, and a stream would
    otherwise finish only at the end of its lifetime."""
    import uvicorn

    from web.json_logs import logging_config

    streams = app.state.streams

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            streams.close()
            super().handle_exit(sig, frame)

    settings = app.state.services.settings
    logs: dict[str, Any] = (
        {"log_config": logging_config(), "access_log": False}  # web/telemetry.py logs them
        if settings.log_format == "json"
        else {}
    )
    return Server(uvicorn.Config(app, host=host, port=port, timeout_graceful_shutdown=10, **logs))


#: Lines per chunk a parser process takes; below two chunks, one process parses all.
PARSE_CHUNK = 2000


def cmd_parse(args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    """One JSON line per input line, in order. Large inputs are split into chunks parsed by
    one forked process per CPU (the parser is deterministic and holds no state)."""
    import multiprocessing
    from functools import partial

    from intent.parse_batch import parse_lines

    lines = stdin.read().splitlines()
    work = partial(parse_lines, canonical=args.canonical)
    jobs = args.jobs or os.cpu_count() or 1
    chunks = [lines[i : i + PARSE_CHUNK] for i in range(0, len(lines), PARSE_CHUNK)]
    out = getattr(stdout, "buffer", None)

    def emit(data: bytes) -> None:
        if out is not None:
            out.write(data)
        else:
            stdout.write(data.decode())

    if jobs > 1 and len(chunks) > 1 and "fork" in multiprocessing.get_all_start_methods():
        import gc

        work([])  # the parser's tables built once, before the fork shares them
        gc.freeze()  # and kept out of the children's collections (no copy-on-write)
        with multiprocessing.get_context("fork").Pool(min(jobs, len(chunks))) as pool:
            for data in pool.imap(work, chunks):
                emit(data)
    else:
        for chunk in chunks:
            emit(work(chunk))
    stdout.flush()
    return 0


def cmd_simulate(args: argparse.Namespace, stdout: TextIO) -> int:
    """What ``POST /v1/simulations`` answers, with the settings in force (parser, policy,
    venue's markets and seed): the same call through :meth:`Simulations.run`."""
    from execution.preview.pipeline import SIMULATION_EPOCH_MS, SimulationError
    from web.services import build_services
    from web.settings import Settings

    settings = Settings()
    balances = dict(args.balance) if args.balance else dict(settings.demo_balances)
    services = build_services(settings)
    try:
        result = services.simulations.run(
            args.text,
            balances,
            seed=args.seed,
            as_of_ms=SIMULATION_EPOCH_MS if args.as_of is None else args.as_of,
        )
    except SimulationError as exc:
        print(f"tradeassist simulate: {exc}", file=sys.stderr)
        return 1
    finally:
        services.close()
    stdout.write(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
    return 0


#: The corpora ``eval-intents`` scores when none are named (run from the repository).
DEFAULT_CORPORA = tuple(
    Path("tests/intent/corpora") / f"{name}.jsonl" for name in ("dev", "tune", "blind")
)


def cmd_eval(args: argparse.Namespace, stdout: TextIO) -> int:
    """``eval-intents`` and ``eval-dialogues``: one column per corpus; the failures of
    non-blind corpora with ``--failures``."""
    from intent.evaluate import (
        evaluate,
        evaluate_dialogues,
        format_report,
        format_side_by_side,
        load_corpus,
    )
    from intent.rules import RuleParser

    files = list(args.files) or list(DEFAULT_CORPORA)
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        print(
            f"tradeassist {args.command}: no such file {', '.join(map(repr, missing))}",
            file=sys.stderr,
        )
        return 2
    dialogues = args.command == "eval-dialogues"
    score = evaluate_dialogues if dialogues else evaluate
    parser = RuleParser()
    reports = {f.stem: score(load_corpus(f), parser) for f in files}
    stdout.write(format_side_by_side(reports, "dialogues" if dialogues else "utterances") + "\n")
    if args.failures:
        for name, report in reports.items():
            stdout.write(f"\n== {name}\n" + format_report(report, name=name) + "\n")
    return 0


def cmd_replay(args: argparse.Namespace, stdout: TextIO) -> int:
    from execution.clock import SystemClock, iso
    from web.services import open_journal
    from web.settings import Settings

    settings = Settings()
    if settings.journal_url is None and not settings.database_path.is_file():
        print(f"tradeassist replay: no database at {settings.database_path}", file=sys.stderr)
        return 2
    journal = open_journal(settings, SystemClock())
    try:
        events = journal.read(args.session_id)
        if not events:
            print(f"tradeassist replay: no session {args.session_id!r}", file=sys.stderr)
            return 2
        for event in events:
            stdout.write(
                f"#{event.seq:<4} {iso(event.ts_ms)} {event.kind:<22} {event.actor} "
                f"{json.dumps(dict(event.payload), ensure_ascii=False)[:160]}\n"
            )
        if not args.verify:
            return 0
        verification = journal.verify(args.session_id)
    finally:
        journal.close()
    if verification.ok:
        stdout.write(f"chain verified: {verification.events} entries\n")
    else:
        stdout.write("chain BROKEN:\n" + "".join(f"  {p}\n" for p in verification.problems))
    # Parse, plan and preview re-run on the recorded inputs, with the app's configuration
    # (the policy in force is the newest version published to the store).
    from execution.policy import PolicyStore
    from execution.session.replay import format_report, parsers_for, rerun
    from web.services import build_parser

    store = PolicyStore(settings.database_path, SystemClock())
    try:
        policy = store.current()
    finally:
        store.close()
    report = rerun(
        args.session_id,
        events,
        parsers=parsers_for(build_parser(settings)),
        policy=policy,
        ttl_ms=settings.confirmation_ttl_s * 1000,
        default_quote=settings.default_quote,
    )
    stdout.write(format_report(report) + "\n")
    return 0 if verification.ok and report.ok else 1


def cmd_export(args: argparse.Namespace, stdout: TextIO) -> int:
    from execution.actors import Actor
    from execution.errors import NotFound
    from execution.records.bundle import bundle_digest
    from web.records.export import export_session
    from web.services import build_services
    from web.settings import Settings

    settings = Settings()
    if settings.journal_url is None and not settings.database_path.is_file():
        print(f"tradeassist export: no database at {settings.database_path}", file=sys.stderr)
        return 2
    services = build_services(settings)
    try:
        data = export_session(services, args.session_id, Actor(args.by, "support", "cli"))
    except NotFound:
        print(f"tradeassist export: no session {args.session_id!r}", file=sys.stderr)
        return 2
    finally:
        services.close()
    target: Path = args.output or Path(f"session-{args.session_id}.zip")
    target.write_bytes(data)
    stdout.write(f"wrote {target} ({len(data)} bytes, sha256 {bundle_digest(data)})\n")
    return 0


def cmd_verify_export(args: argparse.Namespace, stdout: TextIO) -> int:
    from execution.records.bundle import bundle_digest, verify_bundle

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"tradeassist verify-export: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    check = verify_bundle(data)
    if check.ok:
        stdout.write(
            f"bundle verified: session {check.session_id}, {check.events} entries, every file "
            f"matches the manifest, the chain links (sha256 {bundle_digest(data)})\n"
        )
        return 0
    stdout.write("bundle does NOT verify:\n" + "".join(f"  {p}\n" for p in check.problems))
    return 1


def cmd_audit(args: argparse.Namespace, stdout: TextIO) -> int:
    from execution.clock import SystemClock, iso
    from execution.policy import PolicyStore
    from web.settings import Settings

    settings = Settings()
    if not settings.database_path.is_file():
        print(f"tradeassist audit: no database at {settings.database_path}", file=sys.stderr)
        return 2
    store = PolicyStore(settings.database_path, SystemClock())
    try:
        entries = store.audit()
        verification = store.verify_audit() if args.verify else None
    finally:
        store.close()
    for e in entries:
        place = "-" if e.seq is None else str(e.seq)
        stdout.write(
            f"#{place:<4} {iso(e.at_ms)} {e.action:<30} {e.subject} by {e.who}: "
            f"{e.old_value} -> {e.new_value[:120]}\n"
        )
    if verification is None:
        return 0
    if verification.ok:
        stdout.write(
            f"audit chain verified: {verification.rows} entries, head #{verification.head_seq} "
            f"{verification.head_hash}\n"
        )
        return 0
    stdout.write(
        "audit chain BROKEN:\n"
        + "".join(f"  {p.kind}: {p.detail}\n" for p in verification.problems)
    )
    return 1


def cmd_sandbox_server(args: argparse.Namespace) -> int:
    from execution.venues.sandbox import MarketCatalog, SandboxMarket
    from execution.venues.sandbox.server import make_server, serve
    from web.settings import Settings

    settings = Settings()
    seed = settings.seed if args.seed is None else args.seed
    try:
        server = make_server(
            args.host,
            args.port,
            market=SandboxMarket(MarketCatalog.default(), seed=seed),
            opening_balances=dict(args.balance) if args.balance else settings.demo_balances,
            verbose=args.verbose,
        )
    except OSError as exc:
        print(
            f"tradeassist sandbox-server: cannot listen on {args.host}:{args.port}: {exc}",
            file=sys.stderr,
        )
        return 2
    serve(server)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    from pydantic import ValidationError

    from web.settings import SettingsError

    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except SettingsError as exc:  # a setting names something unusable (e.g. Redis down)
        print(f"tradeassist: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:  # bad TRADEASSIST_* settings: say which, no traceback
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors()
        )
        print(f"tradeassist: invalid settings: {problems}", file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return cmd_serve(args)
    if args.command == "parse":
        return cmd_parse(args, sys.stdin, sys.stdout)
    if args.command == "simulate":
        return cmd_simulate(args, sys.stdout)
    if args.command in ("eval-intents", "eval-dialogues"):
        return cmd_eval(args, sys.stdout)
    if args.command == "sandbox-server":
        return cmd_sandbox_server(args)
    if args.command == "worker":
        return cmd_worker(args, sys.stdout)
    if args.command == "audit":
        return cmd_audit(args, sys.stdout)
    if args.command == "users":
        return cmd_users(args, sys.stdout)
    if args.command == "keys":
        return cmd_keys(args, sys.stdout)
    if args.command == "export":
        return cmd_export(args, sys.stdout)
    if args.command == "verify-export":
        return cmd_verify_export(args, sys.stdout)
    return cmd_replay(args, sys.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
