"""Personal data in user attributes: found by column name and by content, and left out of the store.

A users file's extra columns become ``users.attributes``. Those that identify or contact a person —
e-mail, phone, names, postal address, IP address, birth date, government or payment numbers — are
dropped before anything is stored, judged by the column's name (``email``, ``lastName``,
``Post Code`` …) or, whatever it is called, by its values (most non-empty values look like e-mail
addresses, phone numbers or IP addresses). A column the shop really needs can be kept by listing
it in the settings file: ``[privacy] keep_columns = ["loyalty_phone"]``. The quality report names
each dropped column and why.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection

import pandas as pd

# Column-name words (after splitting on case changes and punctuation; two neighbouring words are
# also tried joined, so "e_mail", "Post Code" and "date of birth" match) -> what they reveal.
_NAME_WORDS: dict[str, str] = {
    **dict.fromkeys(("email", "emailaddress"), "an e-mail address"),
    **dict.fromkeys(
        ("phone", "telephone", "tel", "cellphone", "mobilephone", "mobilenumber", "fax", "msisdn"), "a phone number"
    ),
    **dict.fromkeys(
        ("name", "firstname", "lastname", "fullname", "username", "surname", "forename", "nickname"),
        "a person's name",
    ),
    **dict.fromkeys(
        ("address", "addr", "street", "postcode", "postal", "zip", "zipcode", "housenumber", "apartment"),
        "a postal address",
    ),
    **dict.fromkeys(("ip", "ipaddress", "ipv4", "ipv6"), "an IP address"),
    **dict.fromkeys(("birth", "birthday", "birthdate", "dob"), "a birth date"),
    **dict.fromkeys(
        ("ssn", "passport", "iban", "creditcard", "cardnumber", "nationalid", "taxid"),
        "a government or payment number",
    ),
}

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(\+|00)?\(?\d[\d\s().-]{5,}\d")
_DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")
_IPV4 = re.compile(r"(\d{1,3}\.){3}\d{1,3}")
_MOST = 0.5  # share of non-empty values that makes a column look like personal data


def _words(column: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(column))
    return [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]


def reason_by_name(column: str) -> str | None:
    """Why a column's name marks it as personal data, or None."""
    words = _words(column)
    for here, after in zip(words, [*words[1:], ""], strict=True):
        what = _NAME_WORDS.get(here + after) or _NAME_WORDS.get(here)
        if what:
            return f"its name says {what}"
    return None


def _looks_like_phone(text: str) -> bool:
    if not _PHONE.fullmatch(text) or _DATE.fullmatch(text):
        return False
    digits = sum(c.isdigit() for c in text)
    # Plain runs of digits are more often ids or amounts; a phone number has a prefix or separators.
    return 7 <= digits <= 15 and (text[0] in "+0(" or any(c in text for c in " -()"))


def reason_by_content(values: pd.Series) -> str | None:
    """Why a column's values mark it as personal data (most of them are e-mails, phones or IPs), or None."""
    texts = values.dropna().map(lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else str(v))
    texts = texts.str.strip()
    texts = texts[texts != ""]
    if texts.empty:
        return None
    for what, test in (
        ("e-mail addresses", lambda t: bool(_EMAIL.fullmatch(t)) or (t[:1] in "[{" and bool(_EMAIL.search(t)))),
        ("phone numbers", _looks_like_phone),
        (
            "IP addresses",
            lambda t: bool(_IPV4.fullmatch(t)) or (t.count(":") >= 2 and bool(re.fullmatch(r"[0-9a-fA-F:]+", t))),
        ),
    ):
        if texts.map(test).mean() >= _MOST:
            return f"most values look like {what}"
    return None


def drop_personal_attributes(users: pd.DataFrame, keep: Collection[str] = ()) -> tuple[pd.DataFrame, dict[str, str]]:
    """Remove personal columns from each user's JSON ``attributes``; return the frame and {column: reason}.

    ``keep`` lists column names (any case) to store anyway. Attributes that are not valid JSON are
    left as they are, for validation to quarantine with the parser's reason.
    """
    if users.empty or "attributes" not in users.columns:
        return users, {}
    parsed = users["attributes"].map(_parse)
    rows = [p for p in parsed if isinstance(p, dict)]
    columns = dict.fromkeys(k for row in rows for k in row)
    kept = {str(k).lower() for k in keep}
    dropped = {}
    for column in columns:
        if str(column).lower() in kept:
            continue
        reason = reason_by_name(column) or reason_by_content(pd.Series([row.get(column) for row in rows], dtype=object))
        if reason:
            dropped[column] = reason
    if not dropped and not any(isinstance(v, dict) for v in users["attributes"]):
        return users, {}
    cleaned = [
        json.dumps({k: v for k, v in p.items() if k not in dropped}, ensure_ascii=False) if isinstance(p, dict) else raw
        for p, raw in zip(parsed, users["attributes"], strict=True)
    ]
    return users.assign(attributes=cleaned), dropped


def _parse(value):
    """A dict for JSON-object attributes; the value itself otherwise (null, invalid JSON, non-objects)."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value
