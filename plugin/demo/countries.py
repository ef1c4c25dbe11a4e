"""The 14 countries and offices where the demo's synthetic workforce lives, with languages and names.

Demo data only: real employees get their region and time zone from plugin.domain.geography.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.geography import AMERICAS, APAC, EUROPE, MIDDLE_EAST

REGIONS = (APAC, EUROPE, AMERICAS, MIDDLE_EAST)  # the regions the synthetic workforce spans


@dataclass(frozen=True, slots=True)
class City:
    name: str
    timezone: str
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class Country:
    """A country's share of headcount, its offices, and what its people speak and are called."""

    code: str
    name: str
    region: str
    weight: float
    cities: tuple[City, ...]
    preferred_languages: tuple[tuple[str, float], ...]
    """Weighted choice of the language people pick for the tool."""
    extra_languages: tuple[tuple[str, float], ...]
    """Each language with the chance that a person also speaks it."""
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


COUNTRIES: tuple[Country, ...] = (
    Country(
        "JP",
        "Japan",
        APAC,
        7,
        (City("Tokyo", "Asia/Tokyo", 4), City("Osaka", "Asia/Tokyo")),
        (("ja", 1),),
        (("en", 0.55), ("zh", 0.05)),
        _names("Haruto Yuki Sota Aoi Ren Hina Kenji Sakura Takumi Mei"),
        _names("Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura"),
    ),
    Country(
        "SG",
        "Singapore",
        APAC,
        5,
        (City("Singapore", "Asia/Singapore"),),
        (("en", 0.75), ("zh", 0.2), ("ms", 0.05)),
        (("en", 1), ("zh", 0.45), ("ms", 0.2), ("ta", 0.08)),
        _names("Jun Mei Wei Hui Arjun Nur Siti Daniel Rachel Marcus"),
        _names("Tan Lim Lee Ng Ong Wong Goh Chua Rahman Pillai"),
    ),
    Country(
        "IN",
        "India",
        APAC,
        14,
        (City("Bengaluru", "Asia/Kolkata", 3), City("Mumbai", "Asia/Kolkata", 2), City("Hyderabad", "Asia/Kolkata")),
        (("en", 0.65), ("hi", 0.35)),
        (("en", 0.95), ("hi", 0.6), ("ta", 0.1), ("te", 0.1)),
        _names("Aarav Priya Rohan Ananya Vikram Kavya Arjun Isha Rahul Neha"),
        _names("Sharma Patel Iyer Reddy Gupta Nair Singh Mehta Das Kumar"),
    ),
    Country(
        "AU",
        "Australia",
        APAC,
        5,
        (
            City("Sydney", "Australia/Sydney", 3),
            City("Melbourne", "Australia/Melbourne", 2),
            City("Perth", "Australia/Perth"),
        ),
        (("en-AU", 1),),
        (("zh", 0.06), ("vi", 0.03)),
        _names("Jack Olivia Liam Charlotte Noah Mia Cooper Isla"),
        _names("Smith Jones Williams Brown Wilson Taylor Nguyen Kelly"),
    ),
    Country(
        "DE",
        "Germany",
        EUROPE,
        8,
        (City("Berlin", "Europe/Berlin", 2), City("Munich", "Europe/Berlin", 2), City("Hamburg", "Europe/Berlin")),
        (("de", 1),),
        (("en", 0.8), ("fr", 0.1), ("tr", 0.05)),
        _names("Lukas Anna Leon Lena Felix Marie Jonas Laura"),
        _names("Muller Schmidt Schneider Fischer Weber Meyer Wagner Becker"),
    ),
    Country(
        "GB",
        "United Kingdom",
        EUROPE,
        8,
        (City("London", "Europe/London", 4), City("Manchester", "Europe/London"), City("Edinburgh", "Europe/London")),
        (("en-GB", 1),),
        (("fr", 0.15), ("de", 0.05), ("es", 0.06)),
        _names("Oliver Amelia George Isla Harry Emily Jack Sophie"),
        _names("Smith Jones Taylor Brown Davies Evans Patel Wilson"),
    ),
    Country(
        "SE",
        "Sweden",
        EUROPE,
        3,
        (City("Stockholm", "Europe/Stockholm", 3), City("Gothenburg", "Europe/Stockholm")),
        (("sv", 1),),
        (("en", 0.95), ("de", 0.1), ("fi", 0.04)),
        _names("Erik Elsa Lars Maja Oskar Ebba Nils Alva"),
        _names("Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson"),
    ),
    Country(
        "FR",
        "France",
        EUROPE,
        6,
        (City("Paris", "Europe/Paris", 4), City("Lyon", "Europe/Paris")),
        (("fr", 1),),
        (("en", 0.7), ("es", 0.15), ("de", 0.05)),
        _names("Lucas Chloe Hugo Camille Louis Manon Jules Lea"),
        _names("Martin Bernard Dubois Thomas Robert Richard Petit Durand"),
    ),
    Country(
        "BR",
        "Brazil",
        AMERICAS,
        7,
        (
            City("Sao Paulo", "America/Sao_Paulo", 4),
            City("Rio de Janeiro", "America/Sao_Paulo"),
            City("Recife", "America/Recife"),
        ),
        (("pt-BR", 1),),
        (("en", 0.5), ("es", 0.25)),
        _names("Joao Ana Pedro Mariana Lucas Beatriz Gabriel Juliana"),
        _names("Silva Santos Oliveira Souza Lima Pereira Costa Ferreira"),
    ),
    Country(
        "US",
        "United States",
        AMERICAS,
        18,
        (
            City("New York", "America/New_York", 4),
            City("Chicago", "America/Chicago", 2),
            City("Austin", "America/Chicago", 2),
            City("Denver", "America/Denver"),
            City("San Francisco", "America/Los_Angeles", 3),
            City("Seattle", "America/Los_Angeles", 2),
        ),
        (("en-US", 1),),
        (("es", 0.2), ("zh", 0.03), ("fr", 0.03)),
        _names("James Emma Michael Sophia Ethan Ava Daniel Madison"),
        _names("Johnson Williams Garcia Miller Davis Rodriguez Martinez Anderson"),
    ),
    Country(
        "MX",
        "Mexico",
        AMERICAS,
        5,
        (
            City("Mexico City", "America/Mexico_City", 3),
            City("Monterrey", "America/Monterrey"),
            City("Guadalajara", "America/Mexico_City"),
        ),
        (("es-MX", 1),),
        (("en", 0.55),),
        _names("Santiago Sofia Mateo Valentina Diego Regina Emiliano Camila"),
        _names("Hernandez Garcia Martinez Lopez Gonzalez Perez Ramirez Flores"),
    ),
    Country(
        "CA",
        "Canada",
        AMERICAS,
        5,
        (
            City("Toronto", "America/Toronto", 3),
            City("Montreal", "America/Toronto", 2),
            City("Vancouver", "America/Vancouver", 2),
        ),
        (("en-CA", 0.75), ("fr-CA", 0.25)),
        (("en", 0.9), ("fr", 0.35), ("pa", 0.03)),
        _names("Liam Emma Noah Olivia William Chloe Gabriel Lea"),
        _names("Tremblay Gagnon Roy Smith Brown Wilson Martin Campbell"),
    ),
    Country(
        "AE",
        "United Arab Emirates",
        MIDDLE_EAST,
        4,
        (City("Dubai", "Asia/Dubai", 3), City("Abu Dhabi", "Asia/Dubai")),
        (("en", 0.6), ("ar", 0.4)),
        (("en", 0.95), ("ar", 0.5), ("hi", 0.15), ("ur", 0.08)),
        _names("Mohammed Fatima Ahmed Mariam Omar Aisha Khalid Noura"),
        _names("Al-Mansoori Al-Hashimi Al-Nuaimi Al-Shamsi Khan Nair Haddad Rahman"),
    ),
    Country(
        "SA",
        "Saudi Arabia",
        MIDDLE_EAST,
        3,
        (City("Riyadh", "Asia/Riyadh", 3), City("Jeddah", "Asia/Riyadh")),
        (("ar", 1),),
        (("en", 0.75), ("fr", 0.03)),
        _names("Abdullah Sara Faisal Nora Saud Reem Turki Lama"),
        _names("Al-Qahtani Al-Ghamdi Al-Otaibi Al-Harbi Al-Zahrani Al-Shehri Al-Dosari Al-Mutairi"),
    ),
)


def country(code: str) -> Country:
    """The country with this ISO 3166-1 alpha-2 code."""
    for candidate in COUNTRIES:
        if candidate.code == code:
            return candidate
    raise KeyError(code)
