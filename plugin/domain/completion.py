"""Completion and extension rules: when a pair is done, and whether it may run longer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ROLES = ("mentor", "mentee")


@dataclass(frozen=True)
class CompletionRule:
    """A programme's completion rule: N confirmed sessions, and a final reflection from both if asked."""

    min_sessions: int = 6
    final_reflection: bool = True


@dataclass(frozen=True)
class Progress:
    """What a pair has done towards completion."""

    confirmed_sessions: int
    final_reflections: frozenset[str]  # roles that gave their final reflection

    def missing(self, rule: CompletionRule) -> list[str]:
        """What is still missing, in plain English words (empty when complete)."""
        return [
            f"{n} more confirmed session(s)" if what == "sessions" else f"the {n}'s final reflection"
            for what, n in self.missing_items(rule)
        ]

    def missing_items(self, rule: CompletionRule) -> list[tuple[str, int | str]]:
        """What is still missing, for pages to word: ("sessions", how many) and ("final_reflection", role)."""
        out: list[tuple[str, int | str]] = []
        if self.confirmed_sessions < rule.min_sessions:
            out.append(("sessions", rule.min_sessions - self.confirmed_sessions))
        if rule.final_reflection:
            out += [("final_reflection", role) for role in ROLES if role not in self.final_reflections]
        return out

    def complete(self, rule: CompletionRule) -> bool:
        return not self.missing(rule)


def progress(confirmed_sessions: int, final_roles: Iterable[str]) -> Progress:
    return Progress(confirmed_sessions, frozenset(final_roles))


def may_extend(extensions: int, max_extensions: int) -> bool:
    """The programme policy caps extensions per pair."""
    return extensions < max_extensions


def other_role(role: str) -> str:
    return "mentee" if role == "mentor" else "mentor"
