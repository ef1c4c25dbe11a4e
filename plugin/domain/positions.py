"""Job levels, business functions with their teams, and the job titles they give."""

from __future__ import annotations

from dataclasses import dataclass

JUNIOR_MAX_LEVEL = 2
"""Levels 1..2: the early-career individual contributors who mentor."""
MANAGER_MIN_LEVEL = 4
"""A lead (4) is the lowest level that ever has direct reports."""
EXECUTIVE_MIN_LEVEL = 7
"""Directors (7), vice presidents (8), the C-suite (9) and the chief executive (10)."""
CHIEF_LEVEL = 9
CEO_LEVEL = 10

LEVEL_NAMES = {
    1: "Associate",
    2: "Professional",
    3: "Senior Professional",
    4: "Lead",
    5: "Manager",
    6: "Senior Manager",
    7: "Director",
    8: "Vice President",
    9: "Chief Officer",
    10: "Chief Executive",
}

TECHNOLOGY = "Technology"
COMMERCIAL = "Commercial"
OPERATIONS = "Operations"
CORPORATE = "Corporate"


@dataclass(frozen=True, slots=True)
class Team:
    """A department inside a function, and what its individual contributors are called."""

    department: str
    role: str


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    division: str
    chief_title: str
    weight: float
    """Share of headcount, relative to the other functions."""
    teams: tuple[Team, ...]

    @property
    def leadership(self) -> str:
        return f"{self.name} - Leadership"


def _function(name: str, division: str, chief_title: str, weight: float, *teams: tuple[str, str]) -> Function:
    return Function(name, division, chief_title, weight, tuple(Team(f"{name} - {team}", role) for team, role in teams))


FUNCTIONS: tuple[Function, ...] = (
    _function(
        "Engineering",
        TECHNOLOGY,
        "Chief Technology Officer",
        20,
        ("Platform", "Software Engineer"),
        ("Data", "Data Engineer"),
        ("Security", "Security Engineer"),
        ("Quality", "QA Engineer"),
    ),
    _function(
        "Sales",
        COMMERCIAL,
        "Chief Revenue Officer",
        16,
        ("Enterprise", "Account Executive"),
        ("Mid-Market", "Account Executive"),
        ("Sales Operations", "Sales Operations Analyst"),
    ),
    _function(
        "Customer Service",
        COMMERCIAL,
        "Chief Customer Officer",
        12,
        ("Contact Centre", "Customer Service Representative"),
        ("Support", "Support Specialist"),
        ("Success", "Customer Success Manager"),
    ),
    _function(
        "Operations",
        OPERATIONS,
        "Chief Operating Officer",
        10,
        ("Business Operations", "Operations Analyst"),
        ("Facilities", "Facilities Coordinator"),
        ("Quality Assurance", "Quality Analyst"),
    ),
    _function(
        "Supply Chain",
        OPERATIONS,
        "Chief Supply Chain Officer",
        9,
        ("Procurement", "Buyer"),
        ("Logistics", "Logistics Coordinator"),
        ("Planning", "Demand Planner"),
    ),
    _function(
        "Marketing",
        COMMERCIAL,
        "Chief Marketing Officer",
        8,
        ("Brand", "Brand Specialist"),
        ("Digital", "Digital Marketing Specialist"),
        ("Communications", "Communications Specialist"),
        ("Insights", "Insights Analyst"),
    ),
    _function(
        "Product",
        TECHNOLOGY,
        "Chief Product Officer",
        7,
        ("Management", "Product Manager"),
        ("Design", "Product Designer"),
        ("Research", "UX Researcher"),
    ),
    _function(
        "Finance",
        CORPORATE,
        "Chief Financial Officer",
        6,
        ("FP&A", "Financial Analyst"),
        ("Accounting", "Accountant"),
        ("Tax", "Tax Specialist"),
        ("Treasury", "Treasury Analyst"),
    ),
    _function(
        "Human Resources",
        CORPORATE,
        "Chief People Officer",
        5,
        ("Talent Acquisition", "Recruiter"),
        ("People Partners", "HR Business Partner"),
        ("Learning", "Learning Specialist"),
        ("Total Rewards", "Compensation Analyst"),
    ),
    _function(
        "Legal",
        CORPORATE,
        "Chief Legal Officer",
        3,
        ("Commercial", "Legal Counsel"),
        ("Compliance", "Compliance Analyst"),
        ("Privacy", "Privacy Counsel"),
    ),
)

EXECUTIVE_OFFICE = Function(
    "Executive",
    CORPORATE,
    "Chief Executive Officer",
    0,
    (Team("Executive - Office of the CEO", "Chief of Staff"),),
)


def job_title(function: Function, level: int, team: Team | None = None) -> str:
    """The title a person at `level` in `team` of `function` holds, e.g. "Senior Manager, Finance"."""
    if level >= CEO_LEVEL:
        return "Chief Executive Officer"
    if level == CHIEF_LEVEL:
        return function.chief_title
    if level == 8:
        return f"Vice President, {function.name}"
    if level == 7:
        return f"Director, {function.name}"
    if level == 6:
        return f"Senior Manager, {function.name}"
    if level == 5:
        return f"Manager, {function.name}"
    prefix = {1: "Associate ", 2: "", 3: "Senior ", 4: "Lead "}.get(level, "")
    return f"{prefix}{(team or function.teams[0]).role}"
