"""Header-safe text and address checks for everything that reaches a mail header."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from email.headerregistry import Address

MAX_SUBJECT_CHARS = 200
MAX_DISPLAY_NAME_CHARS = 120

# Local part: RFC 5321 dot-atom characters, plus any non-ASCII letter, which
# needs SMTPUTF8 (RFC 6531). Quoted local parts are not accepted.
_LOCAL_PART = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u0080-\U0010ffff]+"
    r"(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u0080-\U0010ffff]+)*$"
)
_NAMED_ADDRESS = re.compile(r"^\s*(.*?)\s*<([^<>]*)>\s*$")
_DOMAIN_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


class InvalidAddressError(ValueError):
    """An e-mail address that cannot be sent to."""


def single_line(text: str, max_chars: int) -> str:
    """Collapse every line break, control character and run of spaces to one space.

    Text that users supplied (enterprise names, contact names) goes into the
    Subject and To headers, so no CR, LF or other line separator may survive.
    Text longer than `max_chars` is cut and ends with an ellipsis.
    """
    pieces = []
    for char in text:
        category = unicodedata.category(char)
        if category in {"Cc", "Cf", "Zl", "Zp"} or char.isspace():
            pieces.append(" ")
        else:
            pieces.append(char)
    collapsed = " ".join("".join(pieces).split())
    if len(collapsed) > max_chars:
        collapsed = collapsed[: max_chars - 1].rstrip() + "…"
    return collapsed


def parse_address(address: str) -> Address:
    """Check one bare address and return it with an ASCII (IDNA) domain.

    Raises InvalidAddressError with the address and the reason. A non-ASCII
    local part is kept; sending to it needs a server that offers SMTPUTF8.
    """
    if not address or address != address.strip():
        raise InvalidAddressError(
            f"address {address!r} is empty or has spaces around it"
        )
    if any(
        unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp", "Zs"} for char in address
    ):
        raise InvalidAddressError(
            f"address {address!r} contains a space or control character"
        )
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise InvalidAddressError(f"address {address!r} is not of the form name@domain")
    if len(local.encode("utf-8")) > 64 or not _LOCAL_PART.match(local):
        raise InvalidAddressError(f"address {address!r} has an invalid part before @")
    try:
        ascii_domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise InvalidAddressError(
            f"address {address!r} has an invalid domain"
        ) from None
    labels = ascii_domain.split(".")
    if len(ascii_domain) > 253 or len(labels) < 2:
        raise InvalidAddressError(f"address {address!r} has an invalid domain")
    if not all(_DOMAIN_LABEL.match(label) for label in labels):
        raise InvalidAddressError(f"address {address!r} has an invalid domain")
    return Address(username=local, domain=ascii_domain)


def needs_smtputf8(address: Address) -> bool:
    """Return whether sending to the address needs SMTPUTF8 (a non-ASCII local part)."""
    return not address.username.isascii()


def mailbox(display_name: str, address: str) -> Address:
    """Build a header mailbox from a display name (cleaned) and a checked address."""
    parsed = parse_address(address)
    name = single_line(display_name, MAX_DISPLAY_NAME_CHARS)
    return Address(display_name=name, username=parsed.username, domain=parsed.domain)


def parse_named_address(entry: str) -> tuple[str, str]:
    """Split a setting entry `'name <address>'` (or a bare address) into name, address.

    Raises InvalidAddressError when the address part is missing or invalid.
    """
    if "\r" in entry or "\n" in entry:
        raise InvalidAddressError(f"entry {entry!r} contains a line break")
    match = _NAMED_ADDRESS.match(entry)
    if match:
        name, address = match.group(1).strip().strip('"').strip(), match.group(2)
    else:
        name, address = "", entry.strip()
    try:
        parse_address(address.strip())
    except InvalidAddressError as error:
        raise InvalidAddressError(f"entry {entry!r}: {error}") from None
    return name, address.strip()


def is_loopback(host: str) -> bool:
    """Return whether `host` is a loopback address or `localhost`, without DNS."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
