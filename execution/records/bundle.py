"""A session's export bundle for complaint handling: one zip that verifies on its own.

Its files, in name order:

- ``events.jsonl``: each journal entry exactly as stored (the canonical JSON the chain
  hashes, with its ``hash``; UTF-8, one per line);
- ``manifest.json``: the session, who exported it and when, the chain's head, and the
  SHA-256 and size of every other file;
- ``transcript.html``: the session as the support console renders it;
- ``verification.json``: the chain check and the re-run report at export time.

Every zip entry has the same fixed timestamp and the names are sorted, so two exports of an
unchanged session at the same clock time are byte-identical. :func:`verify_bundle` checks a
bundle from its bytes alone: the manifest's hashes and sizes, then the hash chain
recomputed from ``events.jsonl`` (:func:`execution.journal.verify_chain`). The manifest is
not hashed by itself: note :func:`bundle_digest` (the whole zip's SHA-256) elsewhere to
pin it.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from execution.journal import Event, canonical_json, verify_chain
from execution.records.calendar import iso_utc

FORMAT = "tradeassist-session-export/1"
EVENTS, MANIFEST, TRANSCRIPT, VERIFICATION = (
    "events.jsonl",
    "manifest.json",
    "transcript.html",
    "verification.json",
)
#: Every entry's timestamp (the earliest a zip can hold): the bytes depend on content only.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def events_jsonl(events: Sequence[Event]) -> bytes:
    """Each entry as stored: its canonical JSON, hash included, one per line."""
    return "".join(canonical_json(e.to_json()) + "\n" for e in events).encode()


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def build_bundle(
    session_id: str,
    events: Sequence[Event],
    verification: Mapping[str, Any],
    transcript_html: str,
    *,
    exporter: str,
    now_ms: int,
) -> bytes:
    """The zip's bytes (see the module's docstring)."""
    files = {
        EVENTS: events_jsonl(events),
        TRANSCRIPT: transcript_html.encode(),
        VERIFICATION: _json(dict(verification)),
    }
    head = events[-1] if events else None
    manifest = {
        "format": FORMAT,
        "session_id": session_id,
        "owner": str(events[0].payload.get("owner", "")) if events else "",
        "exported_at": iso_utc(now_ms),
        "exported_at_ms": now_ms,
        "exporter": exporter,
        "events": len(events),
        "head": None if head is None else {"seq": head.seq, "hash": head.hash},
        "files": [
            {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in sorted(files.items())
        ],
    }
    files[MANIFEST] = _json(manifest)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name in sorted(files):
            entry = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            bundle.writestr(entry, files[name])
    return out.getvalue()


def bundle_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class BundleCheck:
    """What :func:`verify_bundle` found: ``ok`` only if every file matches the manifest and
    the chain in ``events.jsonl`` verifies."""

    ok: bool
    session_id: str | None
    events: int
    problems: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "session_id": self.session_id,
            "events": self.events,
            "problems": list(self.problems),
        }


def verify_bundle(data: bytes) -> BundleCheck:
    """Check an export bundle from its bytes alone."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as bundle:
            files = {name: bundle.read(name) for name in bundle.namelist()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        return BundleCheck(False, None, 0, (f"not a readable zip: {exc}",))
    except zipfile.error as exc:  # e.g. a CRC mismatch inside an entry
        return BundleCheck(False, None, 0, (f"a zip entry is damaged: {exc}",))
    try:
        manifest = json.loads(files[MANIFEST])
        session_id = str(manifest["session_id"])
        listed = {str(f["name"]): f for f in manifest["files"]}
    except (KeyError, TypeError, ValueError) as exc:
        return BundleCheck(False, None, 0, (f"{MANIFEST} is missing or unreadable: {exc!r}",))
    problems: list[str] = []
    for name in sorted(set(files) - set(listed) - {MANIFEST}):
        problems.append(f"{name}: in the zip but not in the manifest")
    for name, entry in sorted(listed.items()):
        body = files.get(name)
        if body is None:
            problems.append(f"{name}: in the manifest but not in the zip")
            continue
        if len(body) != entry.get("size"):
            problems.append(f"{name}: size {len(body)}, the manifest says {entry.get('size')}")
        if hashlib.sha256(body).hexdigest() != entry.get("sha256"):
            problems.append(f"{name}: SHA-256 does not match the manifest")
    events, read_problems = _read_events(files.get(EVENTS, b""), session_id)
    problems.extend(read_problems)
    if not read_problems:
        chain = verify_chain(session_id, events)
        problems.extend(f"chain: {p}" for p in chain.problems)
        head = manifest.get("head")
        last = {"seq": events[-1].seq, "hash": events[-1].hash} if events else None
        if head != last:
            problems.append(f"chain: the head is {last}, the manifest says {head}")
        if manifest.get("events") != len(events):
            problems.append(
                f"{EVENTS}: {len(events)} entries, the manifest says {manifest.get('events')}"
            )
    return BundleCheck(not problems, session_id, len(events), tuple(problems))


def _read_events(body: bytes, session_id: str) -> tuple[list[Event], list[str]]:
    events: list[Event] = []
    try:
        lines = body.decode().splitlines()
    except UnicodeDecodeError as exc:
        return [], [f"{EVENTS}: not UTF-8 ({exc})"]
    for number, line in enumerate(lines, start=1):
        try:
            raw = json.loads(line)
            event = Event(
                session_id=str(raw["session_id"]),
                seq=int(raw["seq"]),
                ts_ms=int(raw["ts_ms"]),
                kind=str(raw["kind"]),
                actor=str(raw["actor"]),
                payload=dict(raw["payload"]),
                prev_hash=str(raw["prev_hash"]),
                hash=str(raw["hash"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            return [], [f"{EVENTS} line {number}: not a journal entry ({exc!r})"]
        if event.session_id != session_id:
            return [], [f"{EVENTS} line {number}: session {event.session_id!r}, not {session_id!r}"]
        events.append(event)
    return events, []


__all__ = [
    "EVENTS",
    "FORMAT",
    "MANIFEST",
    "TRANSCRIPT",
    "VERIFICATION",
    "BundleCheck",
    "build_bundle",
    "bundle_digest",
    "events_jsonl",
    "verify_bundle",
]
