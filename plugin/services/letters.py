"""What Flipside writes to people, in each recipient's words: every letter of a pair's life.

The pairing announcement, HR's nudge, the session invitation, the request to confirm a logged session,
an extension proposed and agreed, the gentle note after repeated cancellations, completion with the
credential, and the reminder at the cadence. Each is built from the catalogue in the recipient's
language (`framing.reader_locale`) with their region's framing, and only from the arguments listed
here (names, role words, the programme, the match criteria, dates, minutes, counts, links): nothing
written privately (reflections, session topics and notes, goals) is ever passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date, format_time, get_timezone
from flask_babel import force_locale, gettext
from markupsafe import escape

from ..domain.language import N_, babel_id
from ..models import Employee, Pair, Programme
from .framing import for_person
from .matching import strongest

# why two people were matched, by the criterion the matching scored (plugin/domain/matching/profile.py)
REASONS = {
    "language": N_("you share a working language"),
    "communication": N_("your communication styles fit"),
    "culture": N_("you bring different cultural perspectives"),
    "hours": N_("your working hours overlap"),
    "goals": N_("one of you knows what the other wants to learn"),
    "cross_function": N_("you work in different parts of the organisation"),
    "aspirations": N_("your aspirations point the same way"),
}


@dataclass(frozen=True)
class Letter:
    """A subject and plain paragraphs; the link, if any, closes the letter.

    The subject is one line whatever the names in it hold (an HRIS name with a line break must not
    become a header of its own, nor make the message impossible to build).
    """

    subject: str
    paragraphs: tuple[str, ...]
    link: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "subject", " ".join(self.subject.split()))

    def text(self) -> str:
        return "\n\n".join(self.paragraphs + ((self.link,) if self.link else ())) + "\n"

    def fragment(self) -> str:
        """The paragraphs as HTML without a document around them (the body of an LMS message)."""
        body = "".join(f"<p>{escape(p)}</p>" for p in self.paragraphs)
        if self.link:
            body += f'<p><a href="{escape(self.link)}">{escape(self.link)}</a></p>'
        return body

    def html(self) -> str:
        return f"<!doctype html><html><body>{self.fragment()}</body></html>"


def name_of(person: Employee) -> str:
    return (
        person.display_name
        or " ".join(filter(None, (person.preferred_name or person.first_name, person.last_name)))
        or "?"
    )


def announcement(
    programme: Programme,
    pair: Pair,
    reader: Employee,
    partner: Employee,
    partner_role: str,
    locale: str,
    first_slot: datetime | None,
    link: str,
) -> Letter:
    """Who the partner is, why they were matched, the first suggested time, the norms and how to start."""
    wording = for_person(reader, programme.framing, locale=locale)
    with force_locale(babel_id(locale)):
        reasons = [gettext(REASONS[r["criterion"]]) for r in _strongest(pair.explanation)]
        paragraphs = [
            gettext("Hello %(name)s,", name=name_of(reader)),
            gettext(
                "%(programme)s has paired you with %(partner)s as your %(role)s.",
                programme=programme.name,
                partner=name_of(partner),
                role=wording[partner_role],
            ),
        ]
        if reasons:
            paragraphs.append(gettext("Why you were matched: %(reasons)s.", reasons="; ".join(reasons)))
        if first_slot is not None:
            paragraphs.append(
                gettext("Your first suggested session: %(when)s, your time.", when=_local(first_slot, reader, locale))
            )
        paragraphs += [
            gettext(
                "What you discuss stays between the two of you. Your reflections and notes are "
                "private: Flipside never shows them to HR or managers, and nothing from this "
                "programme feeds performance reviews."
            ),
            gettext(
                "How to start: introduce yourself to %(partner)s this week and agree on your first "
                "session. Your pair page has the suggested sessions:",
                partner=name_of(partner),
            ),
        ]
        subject = gettext(
            "Your %(relationship)s partner: %(partner)s", relationship=wording.relationship, partner=name_of(partner)
        )
    return Letter(subject, tuple(paragraphs), link)


def nudge(
    programme: Programme, reader: Employee, partner: Employee, partner_role: str, locale: str, link: str
) -> Letter:
    """HR's reminder to a pair that has not met for a while."""
    wording = for_person(reader, programme.framing, locale=locale)
    with force_locale(babel_id(locale)):
        subject = gettext(
            "A reminder from %(programme)s: time to meet your %(role)s",
            programme=programme.name,
            role=wording[partner_role],
        )
        paragraphs = (
            gettext("Hello %(name)s,", name=name_of(reader)),
            gettext(
                "It has been a while since you and %(partner)s last met. A short session this week "
                "keeps your %(relationship)s going; your pair page suggests a time:",
                partner=name_of(partner),
                relationship=wording.relationship,
            ),
        )
    return Letter(subject, paragraphs, link)


def invitation(
    programme: Programme, reader: Employee, partner: Employee, locale: str, when: datetime, change: str, link: str
) -> Letter:
    """A session reminder with its calendar invitation; `change` is "new", "moved" or "cancelled"."""
    wording = for_person(reader, programme.framing, locale=locale)
    with force_locale(babel_id(locale)):
        values = {
            "partner": name_of(partner),
            "when": _local(when, reader, locale),
            "relationship": wording.relationship,
        }
        if change == "cancelled":
            subject = gettext("Cancelled: your %(relationship)s session on %(when)s", **values)
            body = gettext(
                "Your pair with %(partner)s has ended, so the session planned for %(when)s (your time) "
                "is cancelled. The attached cancellation removes it from your calendar.",
                **values,
            )
        elif change == "moved":
            subject = gettext("New time for your %(relationship)s session: %(when)s", **values)
            body = gettext(
                "The time of your next session with %(partner)s has changed: it is now %(when)s, "
                "your time. The attached invitation updates your calendar.",
                **values,
            )
        else:
            subject = gettext("Your next %(relationship)s session: %(when)s", **values)
            body = gettext(
                "Your next session with %(partner)s is planned for %(when)s, your time. Accept the "
                "attached invitation to keep the time in your calendar.",
                **values,
            )
        paragraphs = (gettext("Hello %(name)s,", name=name_of(reader)), body)
    return Letter(subject, paragraphs, link)


def programme_invitation(programme: Programme, reader: Employee, role: str, locale: str, link: str) -> Letter:
    """An opt-in programme's invitation, in the reader's framing: what it is and the link that joins it."""
    wording = for_person(reader, programme.framing, locale=locale)
    with force_locale(babel_id(locale)):
        subject = gettext(
            "You are invited to %(programme)s, a %(relationship)s",
            programme=programme.name,
            relationship=wording.relationship,
        )
        paragraphs = (
            gettext("Hello %(name)s,", name=name_of(reader)),
            gettext(
                "%(programme)s invites you to take part as a %(role)s. Taking part is your choice: follow the "
                "link to say yes, and you will be matched with a partner.",
                programme=programme.name,
                role=wording[role],
            ),
        )
    return Letter(subject, paragraphs, link)


def confirm_request(
    programme: Programme,
    reader: Employee,
    partner: Employee,
    partner_role: str,
    locale: str,
    held_on: date,
    minutes: int,
    link: str,
) -> Letter:
    """To the partner who did not log a session: it counts once they confirm it (its topics are not named)."""
    wording = for_person(reader, programme.framing, locale=locale)
    with force_locale(babel_id(locale)):
        values = {
            "partner": name_of(partner),
            "role": wording[partner_role],
            "relationship": wording.relationship,
            "day": _day(held_on, locale),
            "minutes": minutes,
        }
        subject = gettext("Please confirm your %(relationship)s session of %(day)s", **values)
        paragraphs = (
            gettext("Hello %(name)s,", name=name_of(reader)),
            gettext("%(partner)s, your %(role)s, logged a session with you on %(day)s (%(minutes)s min).", **values),
            gettext("It counts towards your programme once you confirm it. Confirm it on your pair page:"),
        )
    return Letter(subject, paragraphs, link)


def extension_proposed(
    programme: Programme,
    reader: Employee,
    partner: Employee,
    partner_role: str,
    locale: str,
    until: date,
    link: str,
) -> Letter:
    """To the partner who did not propose: the extension takes effect when they agree."""
    wording = for_person(reader, programme.framing, locale=locale)
    with force_locale(babel_id(locale)):
        values = {
            "partner": name_of(partner),
            "role": wording[partner_role],
            "relationship": wording.relationship,
            "day": _day(until, locale),
        }
        subject = gettext("%(partner)s proposes to extend your %(relationship)s", **values)
        paragraphs = (
            gettext("Hello %(name)s,", name=name_of(reader)),
            gettext("%(partner)s, your %(role)s, proposes to continue your %(relationship)s until %(day)s.", **values),
            gettext("If you would like to continue too, agree on your pair page:"),
        )
    return Letter(subject, paragraphs, link)


def extension_agreed(
    programme: Programme, reader: Employee, partner: Employee, locale: str, until: date, link: str
) -> Letter:
    """To both partners once the extension is agreed: the pair's new last day."""
    wording = for_person(reader, programme.framing, locale=locale)
    with force_locale(babel_id(locale)):
        values = {"partner": name_of(partner), "relationship": wording.relationship, "day": _day(until, locale)}
        subject = gettext("Your %(relationship)s continues until %(day)s", **values)
        paragraphs = (
            gettext("Hello %(name)s,", name=name_of(reader)),
            gettext("You and %(partner)s agreed to continue: your %(relationship)s now runs until %(day)s.", **values),
            gettext("Your pair page has your next suggested sessions:"),
        )
    return Letter(subject, paragraphs, link)


def cancellation_note(
    programme: Programme,
    reader: Employee,
    partner: Employee,
    partner_role: str,
    locale: str,
    cancelled: int,
    link: str,
) -> Letter:
    """To an executive whose cancellations reached a threshold: encouragement, never a reproach or a copy to HR."""
    wording = for_person(reader, programme.framing, locale=locale)
    with force_locale(babel_id(locale)):
        values = {
            "partner": name_of(partner),
            "role": wording[partner_role],
            "relationship": wording.relationship,
            "count": cancelled,
        }
        subject = gettext("Keeping your %(relationship)s with %(partner)s going", **values)
        paragraphs = (
            gettext("Hello %(name)s,", name=name_of(reader)),
            gettext(
                "Planned sessions with %(partner)s, your %(role)s, that you had to cancel so far: %(count)s.", **values
            ),
            gettext(
                "Busy weeks happen. Even a short session keeps your %(relationship)s going and shows "
                "%(partner)s that the time you give each other matters. Your pair page suggests times "
                "that suit you both:",
                **values,
            ),
        )
    return Letter(subject, paragraphs, link)


def completion(
    programme: Programme, reader: Employee, partner: Employee, role: str, locale: str, credential_link: str
) -> Letter:
    """To both partners when the pair completes: thanks, and the link to the reader's own credential."""
    wording = for_person(reader, programme.framing, locale=locale)
    title = wording.title(role)
    with force_locale(babel_id(locale)):
        values = {"partner": name_of(partner), "relationship": wording.relationship, "programme": programme.name}
        subject = gettext("You completed %(programme)s: your credential", **values)
        paragraphs = (
            gettext("Hello %(name)s,", name=name_of(reader)),
            gettext(
                "You and %(partner)s completed your %(relationship)s in %(programme)s. Thank you for the "
                "time you gave each other.",
                **values,
            ),
            gettext(
                "Your credential as %(title)s is ready. Anyone you share it with can check that it is genuine:",
                title=title,
            ),
        )
    return Letter(subject, paragraphs, credential_link)


def reminder(
    programme: Programme,
    reader: Employee,
    partner: Employee,
    partner_role: str,
    locale: str,
    behind: int,
    link: str,
) -> Letter:
    """The reminder at the cadence, to both partners of a pair behind its programme's rhythm."""
    wording = for_person(reader, programme.framing, locale=locale)
    with force_locale(babel_id(locale)):
        values = {
            "partner": name_of(partner),
            "role": wording[partner_role],
            "relationship": wording.relationship,
            "behind": behind,
        }
        subject = gettext("Time to meet %(partner)s, your %(role)s", **values)
        paragraphs = (
            gettext("Hello %(name)s,", name=name_of(reader)),
            gettext(
                "Sessions you and %(partner)s are behind your programme's rhythm: %(behind)s. A short "
                "session this week brings your %(relationship)s back on track; your pair page suggests a time:",
                **values,
            ),
        )
    return Letter(subject, paragraphs, link)


def _strongest(explanation: list) -> list[dict]:
    return [r for r in strongest(explanation) if r.get("criterion") in REASONS and float(r["score"]) >= 0.5][:3]


def _local(moment: datetime, reader: Employee, locale: str) -> str:
    local, cldr = moment.astimezone(get_timezone(reader.timezone or "UTC")), babel_id(locale)
    return f"{format_date(local, 'full', locale=cldr)} {format_time(local, 'short', locale=cldr)}"


def _day(day: date, locale: str) -> str:
    return format_date(day, "long", locale=babel_id(locale))
