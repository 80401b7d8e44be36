"""The chat page's text in three languages (web/static/text.js, read by Node) and the
templates' words (execution.i18n.page): the same keys and parameters in every language,
every parameter shown, Chinese in the right script, and no English left in chat.js."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import opencc
import pytest

from execution.i18n import LOCALES
from execution.i18n.page import PAGE_TEXT, page_locale, retry_wait

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"

# Runs text.js in a fresh context and describes each entry: a string, or a function with
# its arity and what it returns for sample arguments (marked, to find them in the result).
_DESCRIBE = r"""
const fs = require("fs");
const vm = require("vm");
const TEXTS = vm.runInNewContext(fs.readFileSync(process.argv[1], "utf8") + "\n;TEXTS");
const SAMPLES = {
  list: [["‹1›", "‹2›"]],
  requoted: [["‹1›", "‹2›"]],
  duration: [2, "hour"],
  condition: ["<=", "‹2›", "‹3›"],
  ordersPlaced: [2],
  placedSoFar: [1, 3],
  placed: [1, 3],
  conversations: [4],
  levelsLabel: ["‹1›", [{ label: "‹2›", price: "‹3›" }], "‹4›"],
};
function describe(entry, key) {
  if (typeof entry === "string") return { type: "string", value: entry };
  if (typeof entry === "function") {
    const args = SAMPLES[key] || Array.from({ length: entry.length }, (_, i) => `‹${i + 1}›`);
    return { type: "function", arity: entry.length, args, value: entry(...args) };
  }
  const entries = Object.entries(entry).map(([k, v]) => [k, describe(v, k)]);
  return { type: "object", entries: Object.fromEntries(entries) };
}
const out = {};
for (const [locale, catalogue] of Object.entries(TEXTS)) out[locale] = describe(catalogue, "");
process.stdout.write(JSON.stringify(out));
"""

# Entries that are figures and punctuation only, in every language.
_NO_WORDS = {"about", "unknownConversation", "list", "feeValue", "childOther"}
# Parameters a language leaves out on purpose: Chinese does not repeat "rejected".
_UNUSED = {
    ("zh-Hans", "rejectedState"),
    ("zh-Hant", "rejectedState"),
    # the side is said by the words it chooses (买单/卖单), not shown as a code
    ("zh-Hans", "depthLabel"),
    ("zh-Hant", "depthLabel"),
}
_HAN = re.compile(r"[\u3400-\u9fff]")


def _flat(entry: dict[str, Any], prefix: str = "") -> dict[str, dict[str, Any]]:
    if entry["type"] != "object":
        return {prefix: entry}
    found: dict[str, dict[str, Any]] = {}
    for key, value in entry["entries"].items():
        found.update(_flat(value, f"{prefix}.{key}" if prefix else key))
    return found


@pytest.fixture(scope="module")
def catalogues() -> dict[str, dict[str, dict[str, Any]]]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is not installed (bash .ci/test installs npm, which brings it)")
    result = subprocess.run(
        [node, "-e", _DESCRIBE, str(STATIC / "text.js")],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    described = json.loads(result.stdout)
    return {locale: _flat(entry) for locale, entry in described.items()}


def test_the_three_catalogues_have_the_same_keys_and_parameters(
    catalogues: dict[str, dict[str, dict[str, Any]]],
) -> None:
    assert sorted(catalogues) == sorted(LOCALES)
    english = catalogues["en"]
    for locale in ("zh-Hans", "zh-Hant"):
        other = catalogues[locale]
        assert sorted(set(english) - set(other)) == [], f"missing in {locale}"
        assert sorted(set(other) - set(english)) == [], f"not in en, but in {locale}"
        for key, entry in english.items():
            assert other[key]["type"] == entry["type"], f"{locale} {key}"
            assert other[key].get("arity") == entry.get("arity"), f"{locale} {key}"


def test_every_parameter_is_shown(catalogues: dict[str, dict[str, dict[str, Any]]]) -> None:
    for locale, catalogue in catalogues.items():
        for key, entry in catalogue.items():
            if entry["type"] != "function" or (locale, key) in _UNUSED:
                continue
            assert isinstance(entry["value"], str), f"{locale} {key}"
            assert "undefined" not in entry["value"], f"{locale} {key}: {entry['value']}"
            for arg in entry["args"]:
                marks = arg if isinstance(arg, list) else [arg]
                for mark in marks:
                    if isinstance(mark, str) and mark.startswith("‹"):
                        assert mark in entry["value"], f"{locale} {key}: {entry['value']}"


def test_chinese_is_chinese_in_its_own_script(
    catalogues: dict[str, dict[str, dict[str, Any]]],
) -> None:
    for locale in ("zh-Hans", "zh-Hant"):
        for key, entry in catalogues[locale].items():
            text = entry["value"]
            if key.split(".")[0] not in _NO_WORDS:
                assert _HAN.search(text), f"{locale} {key} has no Chinese: {text!r}"
            assert _wrong_script(locale, text) == [], f"{locale} {key}: {text!r}"
        for field, value in PAGE_TEXT[locale].model_dump().items():
            for text in value.values() if isinstance(value, dict) else [value]:
                assert _HAN.search(text), f"{locale} page {field}: {text!r}"
                assert _wrong_script(locale, text) == [], f"{locale} page {field}: {text!r}"


_TO_SIMPLIFIED = opencc.OpenCC("t2s")
_TO_TRADITIONAL = opencc.OpenCC("s2t")
_TO_HONG_KONG = opencc.OpenCC("s2hk")


def _wrong_script(locale: str, text: str) -> list[str]:
    """The characters of ``text`` written in the other script: in 简体, any OpenCC makes
    simpler; in 繁體, any it makes traditional in both its standard and its Hong Kong
    forms (户 and 戶 are both Hong Kong usage; 买 is neither)."""
    if locale == "zh-Hans":
        return [c for c in text if _TO_SIMPLIFIED.convert(c) != c]
    return [c for c in text if _TO_TRADITIONAL.convert(c) != c and _TO_HONG_KONG.convert(c) != c]


def test_chat_js_writes_no_sentence_of_its_own() -> None:
    """Customer-facing words live in text.js: a string literal in chat.js with a capitalised
    word or two words and a stop is a sentence left behind."""
    source = re.sub(r"^\s*//.*$", "", (STATIC / "chat.js").read_text(), flags=re.MULTILINE)
    literals = re.findall(r'"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`', source)
    words = [re.sub(r"\$\{[^}]*\}", "", literal) for literal in literals]
    sentences = [w for w in words if re.search(r"[A-Z][a-z]+[ :.,]|\b[a-z]{2,} [a-z]{2,}[.:]", w)]
    assert sentences == []


@pytest.mark.parametrize(
    ("asked", "cookie", "accept", "expected"),
    [
        (None, None, None, ("en", False)),
        (None, None, "zh-HK,zh;q=0.9,en;q=0.8", ("zh-Hant", False)),
        (None, None, "zh-CN", ("zh-Hans", False)),
        (None, "zh-Hans", "zh-TW", ("zh-Hans", False)),  # the switch wins over the browser
        (None, "klingon", "zh-TW", ("zh-Hant", False)),  # a cookie we did not write: ignored
        ("zh-Hant", "en", "en", ("zh-Hant", True)),  # the switch's link: remembered
        ("zh-Hant", "zh-Hant", None, ("zh-Hant", False)),
        ("fr", "zh-Hans", None, ("zh-Hans", False)),
    ],
)
def test_the_page_locale(
    asked: str | None, cookie: str | None, accept: str | None, expected: tuple[str, bool]
) -> None:
    assert page_locale(asked, cookie, accept) == expected


@pytest.mark.parametrize(
    ("seconds", "en", "hans", "hant"),
    [
        (1, "1 second", "1 秒", "1 秒"),
        (6, "6 seconds", "6 秒", "6 秒"),
        (59, "59 seconds", "59 秒", "59 秒"),
        (60, "1 minute", "1 分钟", "1 分鐘"),
        (61, "2 minutes", "2 分钟", "2 分鐘"),  # rounded up: a try after it is admitted
        (3600, "60 minutes", "60 分钟", "60 分鐘"),
    ],
)
def test_a_retry_wait_is_whole_seconds_under_a_minute_then_whole_minutes(
    seconds: int, en: str, hans: str, hant: str
) -> None:
    said = [retry_wait(seconds, locale) for locale in ("en", "zh-Hans", "zh-Hant")]

    assert said == [en, hans, hant]


def test_a_refused_confirmation_reads_as_the_chat_page_said_it(
    catalogues: dict[str, dict[str, dict[str, Any]]],
) -> None:
    """The support console says a journaled refusal (refusal_text, from the catalogue) in
    the words the chat page showed the customer (text.js): the two must not drift."""
    from execution.assistant.texts import refusal_text

    for locale in LOCALES:
        page = catalogues[locale]
        said = page["notSent"]["value"].replace("‹1›", "{}")
        assert refusal_text("token_expired", locale) == page["expired"]["value"], locale
        for code in ("token_reused", "token_mismatch", "step_not_confirmable", "limit_exceeded"):
            expected = said.format(page[f"errors.{code}"]["value"])
            assert refusal_text(code, locale) == expected, (locale, code)
        requoted = page["requoted"]["value"]  # for the sample reasons ‹1›, ‹2›
        assert refusal_text("requote_required", locale, reasons=["‹1›", "‹2›"]) == requoted
        # a code the page has no sentence for: the server's message, as the page showed it
        assert refusal_text("new_code", locale, message="why") == said.format("why")
