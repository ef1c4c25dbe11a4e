"""Decoding webhook bodies (JSON or form-encoded) into plain structures, and the keys of their deliveries."""

from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import parse_qsl

from plugin.errors import ValidationError

MAX_BODY = 1 << 20  # webhook bodies are small; refuse anything larger before parsing
_KEY = re.compile(r"([^\[\]]+)|\[([^\[\]]*)\]")


def delivery_key(vendor: str, source_id: str, event: str, stamp: str, extra: str = "") -> str:
    """A de-duplication key from what a retried delivery repeats verbatim (never the header timestamp)."""
    text = "|".join((vendor, source_id, event, stamp, extra))
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def content_hash(value) -> str:
    """A digest of decoded content, the same however the sender spaced or ordered its JSON."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def decode_body(body: bytes, content_type: str | None) -> dict:
    """A JSON or form-encoded body as a dict; form keys in bracket form (`a[0][b]=c`) nest."""
    if len(body) > MAX_BODY:
        raise ValidationError("webhook body is too large")
    kind = (content_type or "").split(";")[0].strip().lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValidationError("webhook body is not UTF-8") from err
    if kind == "application/x-www-form-urlencoded" or (not kind and not text.lstrip().startswith(("{", "["))):
        try:
            pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), max_num_fields=5000)
        except ValueError as err:
            raise ValidationError(f"malformed form body: {err}") from err
        return _nest(pairs)
    try:
        decoded = json.loads(text)
    except ValueError as err:
        raise ValidationError("webhook body is not valid JSON") from err
    if not isinstance(decoded, dict):
        raise ValidationError("webhook body is not a JSON object")
    return decoded


def _nest(pairs: list[tuple[str, str]]) -> dict:
    root: dict = {}
    for name, value in pairs:
        parts = [a or b for a, b in _KEY.findall(name)]
        if not parts:
            raise ValidationError(f"malformed form key {name!r}")
        node = root
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[parts[-1]] = _maybe_json(value)
    return _listify(root)


def _maybe_json(value: str):
    # some senders put a whole JSON document into one form field
    if value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _listify(node):
    """Dicts whose keys are 0..n-1 (or empty brackets) become lists, as PHP would have sent arrays."""
    if not isinstance(node, dict):
        return node
    node = {k: _listify(v) for k, v in node.items()}
    if node and all(k.isdigit() for k in node) and sorted(map(int, node)) == list(range(len(node))):
        return [node[str(i)] for i in range(len(node))]
    return node
