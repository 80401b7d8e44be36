"""Freeze the blind split once: half of every persona's utterances and dialogues, chosen by
a hash of the text, go to blind files; the rest to tune files. Run once, then commit."""
import hashlib, json
from pathlib import Path
root = Path(__file__).resolve().parent
def key(row):
    text = row.get("text") or "\u241e".join(row["turns"])
    return hashlib.sha256(("tradeassist-split-2026-12-04:" + text).encode()).hexdigest()
def norm(row):
    return (row.get("text") or "\u241e".join(row["turns"])).strip().lower()
# Sentences the parser was tuned on (the dev corpus, our own held-out set) never count as blind.
seen = {norm(json.loads(l)) for f in (root / "dev.jsonl", root.parent / "heldout_own.jsonl")
        for l in f.read_text(encoding="utf-8").splitlines() if l.strip()}
def split(folder, tune_name, blind_name):
    tune, blind = [], []
    for path in sorted((root / folder).glob("*.jsonl")):
        rows = []
        for l in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(l)
            if l.strip() and norm(row) not in seen:
                seen.add(norm(row))
                rows.append(row)
        rows.sort(key=key)
        half = len(rows) // 2
        blind += rows[:half]; tune += rows[half:]
    for name, rows in ((tune_name, tune), (blind_name, blind)):
        with (root / name).open("w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(name, len(rows))
split("personas", "tune.jsonl", "blind.jsonl")
split("dialogues", "dialogues_tune.jsonl", "dialogues_blind.jsonl")
