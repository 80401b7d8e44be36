"""The risk disclosure a customer acknowledges before their first message, and the record of
each acknowledgement.

The text is one small typed catalogue (:data:`RISK_TEXTS`): every locale supplies every
sentence, each under its code. :data:`RISK_VERSION` names the wording; a change of wording
is a new version, which every customer acknowledges again.

An acknowledgement is stored as a row of the audit table the administrators read
(``admin_audit``, ``GET /v1/admin/audit``), next to the accounts: per customer (not per
browser), with who, when (the injected clock), the version, the locale and the exact text
shown. It is written once, in one transaction, and never updated (the audit is
hash-chained: :mod:`execution.policy.audit`); the session journal is not
the place (the customer has no session before their first message, and the record is the
customer's, not one conversation's).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from execution.clock import Clock
from execution.errors import DisclosureMismatch, DisclosureRequired, DisclosureStale
from execution.policy import prepare_audit, record_audit
from execution.stores import immediate_transaction, open_database, store_errors

Locale = Literal["en", "zh-Hans", "zh-Hant"]
LOCALES: tuple[Locale, ...] = ("en", "zh-Hans", "zh-Hant")

#: The wording in force. Change it whenever a sentence of :data:`RISK_TEXTS` changes.
RISK_VERSION = "risk-2026-01.1"

#: The audit action of an acknowledgement (``subject``: the customer).
ACKNOWLEDGED = "risk_disclosure_acknowledged"


class RiskText(BaseModel):
    """The risk disclosure in one language, a sentence per code, in the order shown."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: str
    prices_move: str
    lose_all: str
    market_conditions: str
    no_advice: str
    understand_first: str
    acknowledge: str  # the button

    def paragraphs(self) -> tuple[str, ...]:
        return (
            self.prices_move,
            self.lose_all,
            self.market_conditions,
            self.no_advice,
            self.understand_first,
        )


RISK_TEXTS: dict[Locale, RiskText] = {
    "en": RiskText(
        title="Before you trade: the risks of virtual assets",
        prices_move="Virtual asset prices can rise or fall sharply and quickly, sometimes "
        "within minutes. Past prices say nothing about future prices.",
        lose_all="You can lose all of the money you put in. Only trade with money you can "
        "afford to lose.",
        market_conditions="Orders are carried out at the market conditions when they reach "
        "the exchange. The price you get can differ from the price in a preview, and a thin "
        "market can fill an order at worse prices.",
        no_advice="This assistant gives no investment advice and makes no recommendations. "
        "It only carries out the instructions you give it, and sends nothing until you "
        "confirm each step.",
        understand_first="Confirm only what you understand. If you are unsure about a trade, "
        "do not confirm it.",
        acknowledge="I understand",
    ),
    "zh-Hans": RiskText(
        title="交易前请了解：虚拟资产的风险",
        prices_move="虚拟资产的价格可能在短时间内（有时在几分钟内）大幅上涨或下跌。"
        "过往价格并不代表未来价格。",
        lose_all="您可能损失投入的全部资金。请只用您能够承受损失的资金进行交易。",
        market_conditions="订单按送达交易所时的市场状况执行。实际成交价可能与预览中的价格不同；"
        "市场深度不足时，订单可能以更差的价格成交。",
        no_advice="本助手不提供任何投资建议，也不作任何推荐。它只执行您本人发出的指令，"
        "并且在您确认每个步骤之前不会发送任何订单。",
        understand_first="请只确认您完全理解的内容。如对某笔交易有任何疑问，请不要确认。",
        acknowledge="我明白",
    ),
    "zh-Hant": RiskText(
        title="交易前請了解：虛擬資產的風險",
        prices_move="虛擬資產的價格可能在短時間內（有時在幾分鐘內）大幅上升或下跌。"
        "過往價格並不代表未來價格。",
        lose_all="你可能會損失投入的全部資金。請只用你能夠承受損失的資金進行交易。",
        market_conditions="訂單按送達交易所時的市場狀況執行。實際成交價可能與預覽所示的價格不同；"
        "市場深度不足時，訂單可能以較差的價格成交。",
        no_advice="本助手不提供任何投資意見，亦不會作出任何推薦。它只會執行你本人發出的指示，"
        "並在你確認每個步驟之前不會發送任何訂單。",
        understand_first="請只確認你完全明白的內容。如對某宗交易有任何疑問，請不要確認。",
        acknowledge="我明白",
    ),
}


class RiskDisclosure(BaseModel):
    """The disclosure as shown: its version, locale, sentences and the exact ``text``
    an acknowledgement repeats (the title and paragraphs, separated by blank lines)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    locale: Locale
    title: str
    paragraphs: tuple[str, ...]
    acknowledge: str
    text: str


def risk_disclosure(locale: Locale) -> RiskDisclosure:
    """The risk disclosure in force, in ``locale``."""
    words = RISK_TEXTS[locale]
    paragraphs = words.paragraphs()
    return RiskDisclosure(
        version=RISK_VERSION,
        locale=locale,
        title=words.title,
        paragraphs=paragraphs,
        acknowledge=words.acknowledge,
        text="\n\n".join((words.title, *paragraphs)),
    )


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """One customer's acknowledgement of one version, as recorded."""

    user_id: str
    version: str
    locale: str
    text: str
    at_ms: int
    by: str


class RiskAcknowledgements:
    """Who acknowledged which version of the risk disclosure (SQLite, next to the accounts,
    in the administrators' audit table)."""

    def __init__(self, path: Path | str, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        with store_errors("open the disclosure store"):
            self._db = open_database(path)
            prepare_audit(self._db)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _find(self, user_id: str, version: str) -> Acknowledgement | None:
        row = self._db.execute(
            "SELECT at_ms, who, new_value FROM admin_audit WHERE action = ? AND subject = ? "
            "AND json_extract(new_value, '$.version') = ? ORDER BY id LIMIT 1",
            (ACKNOWLEDGED, user_id, version),
        ).fetchone()
        if row is None:
            return None
        shown = json.loads(row[2])
        return Acknowledgement(
            user_id, shown["version"], shown["locale"], shown["text"], int(row[0]), row[1]
        )

    def acknowledged(self, user_id: str, version: str = RISK_VERSION) -> Acknowledgement | None:
        """``user_id``'s acknowledgement of ``version`` (the one in force), if any."""
        with self._lock, store_errors("read a disclosure acknowledgement"):
            return self._find(user_id, version)

    def require(self, user_id: str) -> None:
        """Raise :class:`DisclosureRequired` unless ``user_id`` acknowledged the version in
        force."""
        if self.acknowledged(user_id) is None:
            raise DisclosureRequired(
                f"acknowledge the risk disclosure {RISK_VERSION!r} before sending a message "
                "(GET /api/disclosures/risk, then POST /api/disclosures/risk/ack)",
                {"version": RISK_VERSION},
            )

    def acknowledge(
        self, user_id: str, version: str, locale: Locale, text: str, *, by: str
    ) -> tuple[Acknowledgement, bool]:
        """Record that ``user_id`` acknowledged the disclosure shown to them: ``version``,
        ``locale`` and ``text`` must be exactly what :func:`risk_disclosure` shows now
        (:class:`DisclosureStale` for another version, :class:`DisclosureMismatch` for
        another text; nothing is written). Returns the acknowledgement and whether it was
        written now (False: this version was already acknowledged, and is kept as it was)."""
        if version != RISK_VERSION:
            raise DisclosureStale(
                f"the risk disclosure {version!r} is no longer in force: read the current "
                f"one ({RISK_VERSION!r}) and acknowledge it"
            )
        shown = risk_disclosure(locale)
        if text != shown.text:
            raise DisclosureMismatch(
                f"the text acknowledged is not the {locale!r} text of the risk disclosure "
                f"{version!r}: acknowledge exactly the text shown"
            )
        at_ms = self._clock.now_ms()
        with (
            self._lock,
            store_errors("record a disclosure acknowledgement"),
            immediate_transaction(self._db),
        ):
            earlier = self._find(user_id, version)
            if earlier is not None:
                return earlier, False
            previous = self._db.execute(
                "SELECT json_extract(new_value, '$.version') FROM admin_audit "
                "WHERE action = ? AND subject = ? ORDER BY id DESC LIMIT 1",
                (ACKNOWLEDGED, user_id),
            ).fetchone()
            record_audit(
                self._db,
                at_ms=at_ms,
                who=by,
                action=ACKNOWLEDGED,
                subject=user_id,
                old_value=None if previous is None else str(previous[0]),
                new_value=json.dumps(
                    {"version": version, "locale": locale, "text": text},
                    ensure_ascii=False,
                    sort_keys=True,
                ),
            )
        return Acknowledgement(user_id, version, locale, text, at_ms, by), True
