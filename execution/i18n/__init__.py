"""The customer's language and the catalogue of sentences shown in it.

Text shown to people is rendered at the edge from a message code and its parameters
(:func:`render`); the journal keeps the code, the locale and the exact text shown.
"""

from execution.i18n.locales import (
    DEFAULT_LOCALE,
    LOCALES,
    SENTENCE_BREAK,
    Locale,
    locale_of_message,
    negotiate,
    parse_locale,
)

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "SENTENCE_BREAK",
    "Locale",
    "locale_of_message",
    "negotiate",
    "parse_locale",
]
