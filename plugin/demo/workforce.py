"""A synthetic workforce for the demo, the benchmarks and the tests (never a production path).

The demo, the HRIS emulators and the benchmarks all serve it, so the same (size, seed, as_of) always
gives the same records, in the same order: managers before their reports, the chief executive first.

Choices worth knowing:
- Only individual contributors leave, and never a manager's first report, so no active employee
  reports to a leaver and every manager keeps at least one active report. Leavers stay in the list,
  as HR systems keep them, with a termination date in the three years before `as_of`.
- `custom_fields["last_promotion_date"]` (ISO date) is set for people promoted since they were hired;
  it is what impact analysis compares participants and non-participants on.
- `start_date` equals `hire_date`: the generator makes no rehires.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from typing import NamedTuple

from plugin.db import db, transaction
from plugin.demo.countries import COUNTRIES, City, Country
from plugin.domain.career import draw_career
from plugin.domain.employee import EmployeeRecord, EmploymentStatus
from plugin.domain.hierarchy import validate_tree
from plugin.domain.orgchart import MAX_SIZE, split_company, split_team
from plugin.domain.positions import (
    CEO_LEVEL,
    CHIEF_LEVEL,
    EXECUTIVE_MIN_LEVEL,
    EXECUTIVE_OFFICE,
    JUNIOR_MAX_LEVEL,
    Function,
    Team,
    job_title,
)
from plugin.domain.sampling import Weighted, one_of
from plugin.domain.topics import TOPICS, draw_topics, expertise_weights, goal_weights
from plugin.jobs.task import task
from plugin.services import audit, roster
from plugin.services.tenant import Tenant

__all__ = [
    "DEFAULT_AS_OF",
    "EMAIL_DOMAIN",
    "MAX_SIZE",
    "TOPICS",
    "generate_workforce",
    "is_executive",
    "is_junior",
    "iter_workforce",
    "validate_tree",
]

DEFAULT_AS_OF = date(2026, 11, 1)
EMAIL_DOMAIN = "example-corp.test"
TURNOVER = 0.15
"""Chance that an individual contributor who may leave has left: about a tenth of everyone."""
GEN_Z_MAX_AGE = 29

# Chance that someone works where their manager does; regional leaders move the most.
_SAME_SITE = {4: 0.85, 5: 0.75, 6: 0.7, 7: 0.5, 8: 0.35, 9: 0.5}
_EXPERTISE_COUNT = {
    1: Weighted(((1, 3), (2, 4.5), (3, 2.5))),
    3: Weighted(((0, 4), (1, 4), (2, 2))),
    5: Weighted(((0, 7), (1, 3))),
    7: Weighted(((0, 8.5), (1, 1.5))),
}
_GOAL_COUNT = {
    1: Weighted(((0, 9), (1, 1))),
    3: Weighted(((0, 8), (1, 2))),
    5: Weighted(((0, 4), (1, 4), (2, 2))),
    7: Weighted(((1, 2.5), (2, 4.5), (3, 3))),
}
_BAND = {1: 1, 2: 1, 3: 3, 4: 3, 5: 5, 6: 5, 7: 7, 8: 7, 9: 7, 10: 7}


class _Slot(NamedTuple):
    """A place in the tree waiting for a person."""

    headcount: int
    level: int
    manager_id: str | None
    function: Function
    team: Team | None
    department: str
    site: tuple[Country, City] | None
    may_leave: bool


def generate_workforce(
    size: int, seed: int = 0, *, as_of: date | None = None, source_system: str = "synthetic"
) -> list[EmployeeRecord]:
    """`size` employees in one reporting tree, the same for the same seed, as of `as_of`."""
    return list(iter_workforce(size, seed, as_of=as_of, source_system=source_system))


def iter_workforce(
    size: int, seed: int = 0, *, as_of: date | None = None, source_system: str = "synthetic"
) -> Iterator[EmployeeRecord]:
    """The records of generate_workforce one at a time, each manager before their reports."""
    if size < 1:
        raise ValueError(f"a workforce needs at least 1 employee (the chief executive), got size={size}")
    if size > MAX_SIZE:
        raise ValueError(f"a workforce can have at most {MAX_SIZE} employees, got size={size}")
    return _Generator(random.Random(seed), as_of or DEFAULT_AS_OF, source_system).records(size)


class _Generator:
    """One pass over the tree, depth first, drawing everything from a single seeded Random."""

    def __init__(self, rng: random.Random, as_of: date, source_system: str):
        self.rng = rng
        self.as_of = as_of
        self.source_system = source_system
        self.countries = Weighted((country, country.weight) for country in COUNTRIES)
        self.cities = {c.code: Weighted((city, city.weight) for city in c.cities) for c in COUNTRIES}
        self.languages = {c.code: Weighted(c.preferred_languages) for c in COUNTRIES}
        self.slugs: dict[str, str] = {}
        self.emails: dict[tuple[str, str], int] = {}
        self.count = 0

    def records(self, size: int) -> Iterator[EmployeeRecord]:
        chief_executive = EXECUTIVE_OFFICE.teams[0]
        stack = [
            _Slot(size, CEO_LEVEL, None, EXECUTIVE_OFFICE, chief_executive, chief_executive.department, None, False)
        ]
        while stack:
            slot = stack.pop()
            self.count += 1
            source_id = f"E{self.count:07d}"
            site = self._site(slot)
            reports = self._reports(slot, source_id, site)
            stack.extend(reversed(reports))
            yield self._record(slot, source_id, site, is_manager=bool(reports))

    def _reports(self, slot: _Slot, source_id: str, site: tuple[Country, City]) -> list[_Slot]:
        if slot.level == CEO_LEVEL:
            return [
                _Slot(headcount, CHIEF_LEVEL, source_id, function, None, function.leadership, site, False)
                for function, headcount in split_company(self.rng, slot.headcount)
            ]
        if slot.headcount == 1:
            return []
        teams = slot.function.teams
        # A chief's reports each take a team of the function; everyone below stays in theirs.
        offset = int(self.rng.random() * len(teams)) if slot.team is None else 0
        reports = []
        for index, (headcount, level) in enumerate(split_team(self.rng, slot.headcount, slot.level)):
            team = slot.team or teams[(offset + index) % len(teams)]
            may_leave = index > 0 and headcount == 1
            reports.append(_Slot(headcount, level, source_id, slot.function, team, team.department, site, may_leave))
        return reports

    def _site(self, slot: _Slot) -> tuple[Country, City]:
        rng = self.rng
        if slot.site is not None and rng.random() < _SAME_SITE.get(slot.level, 0.85):
            return slot.site
        country = self.countries.pick(rng)
        return country, self.cities[country.code].pick(rng)

    def _record(self, slot: _Slot, source_id: str, site: tuple[Country, City], *, is_manager: bool) -> EmployeeRecord:
        rng, level, function = self.rng, slot.level, slot.function
        country, city = site
        first, last = one_of(rng, country.first_names), one_of(rng, country.last_names)
        leaves = slot.may_leave and rng.random() < TURNOVER
        career = draw_career(rng, level, self.as_of, leaves=leaves)
        preferred, spoken = self._languages(country)
        young = self.as_of.year - career.birth_year <= GEN_Z_MAX_AGE
        expertise, goals = self._topics(function.name, country.region, level, young)
        promoted = career.last_promotion_date
        return EmployeeRecord(
            source_system=self.source_system,
            source_id=source_id,
            first_name=first,
            last_name=last,
            employee_number=str(100000 + self.count),
            work_email=self._email(first, last),
            job_title=job_title(function, level, slot.team),
            job_level=level,
            department=slot.department,
            division=function.division,
            function=function.name,
            location=city.name,
            country=country.code,
            region=country.region,
            timezone=city.timezone,
            manager_source_id=slot.manager_id,
            is_manager=is_manager,
            employment_status=EmploymentStatus.TERMINATED if leaves else EmploymentStatus.ACTIVE,
            employment_type="part_time" if level <= 3 and rng.random() < 0.05 else "full_time",
            hire_date=career.hire_date,
            start_date=career.hire_date,
            termination_date=career.termination_date,
            birth_year=career.birth_year,
            preferred_language=preferred,
            languages=spoken,
            expertise=expertise,
            learning_goals=goals,
            custom_fields={"last_promotion_date": promoted.isoformat()} if promoted else {},
            source_modified_at=career.modified_at,
        )

    def _topics(self, function: str, region: str, level: int, young: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """What someone knows (mostly juniors) and wants to learn (mostly executives), never both."""
        rng, band = self.rng, _BAND[level]
        known = expertise_weights(function, region, young)
        expertise = draw_topics(rng, known, _EXPERTISE_COUNT[band].pick(rng))
        wanted = goal_weights(function, region)
        goals = draw_topics(rng, wanted, _GOAL_COUNT[band].pick(rng), exclude=expertise)
        return expertise, goals

    def _languages(self, country: Country) -> tuple[str, tuple[str, ...]]:
        """The language someone prefers, then the others they speak: often English, now and then a third."""
        rng = self.rng
        preferred = self.languages[country.code].pick(rng)
        spoken = [preferred]
        known = [preferred.split("-")[0]]
        for language, chance in country.extra_languages:
            if language not in known and rng.random() < chance:
                spoken.append(language)
                known.append(language)
        return preferred, tuple(spoken)

    def _email(self, first: str, last: str) -> str:
        """first.last.N@domain, N counting people of that name so every address is unique."""
        key = (self._slug(first), self._slug(last))
        number = self.emails.get(key, 0) + 1
        self.emails[key] = number
        return f"{key[0]}.{key[1]}.{number}@{EMAIL_DOMAIN}"

    def _slug(self, name: str) -> str:
        slug = self.slugs.get(name)
        if slug is None:
            slug = "".join(ch for ch in name.lower() if ch.isascii() and (ch.isalnum() or ch == "-"))
            self.slugs[name] = slug
        return slug


def is_junior(record: EmployeeRecord) -> bool:
    """An early-career individual contributor, the people who mentor in reverse mentoring."""
    return record.job_level is not None and record.job_level <= JUNIOR_MAX_LEVEL


def is_executive(record: EmployeeRecord) -> bool:
    """A director or above, the people who are mentored."""
    return record.job_level is not None and record.job_level >= EXECUTIVE_MIN_LEVEL


@task
def load_synthetic_workforce(organisation_id: int, size: int, seed: int) -> dict:
    """Generate a synthetic workforce and store it as the organisation's employees (demo and benchmarks)."""
    tenant = Tenant(db.session, organisation_id)
    with transaction(db.session):
        summary = roster.upsert_employees(tenant, iter_workforce(size, seed=seed))
        roster.relink_managers(tenant)
        audit.record(
            tenant,
            "worker",
            "workforce.loaded",
            "organisation",
            organisation_id,
            inserted=summary.inserted,
            updated=summary.updated,
            unchanged=summary.unchanged,
        )
    return {"inserted": summary.inserted, "updated": summary.updated, "unchanged": summary.unchanged}
