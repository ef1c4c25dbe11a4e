"""A small message catalogue: the launch's launch_presentation.locale picks the UI language."""

from __future__ import annotations

CATALOGUE: dict[str, dict[str, str]] = {
    "fr": {
        "Flipside could not open": "Flipside n'a pas pu s'ouvrir",
        "What failed": "Ce qui a échoué",
        "What to tell your LMS admin": "Ce qu'il faut dire à l'administrateur de la plateforme",
        "Reason code": "Code de la raison",
        "Welcome": "Bienvenue",
        "Organisation": "Organisation",
        "Your role": "Votre rôle",
        "HR admin": "Administrateur RH",
        "Participant": "Participant",
        "Your mentoring partners will appear here once a programme pairs you.": (
            "Vos partenaires de mentorat apparaîtront ici dès qu'un programme vous aura associé."
        ),
        "Job title": "Intitulé du poste",
        "Employees": "Employés",
        "LMS users waiting for a manual link": "Utilisateurs de la plateforme en attente d'un lien manuel",
        "Scopes the LMS admin removed": "Autorisations retirées par l'administrateur de la plateforme",
        "Choose what to place in the course": "Choisissez ce qu'il faut placer dans le cours",
        "Place in course": "Placer dans le cours",
    },
    "de": {
        "Flipside could not open": "Flipside konnte nicht geöffnet werden",
        "What failed": "Was fehlgeschlagen ist",
        "What to tell your LMS admin": "Was Sie dem LMS-Administrator sagen sollten",
        "Reason code": "Grundcode",
        "Welcome": "Willkommen",
        "Organisation": "Organisation",
        "Your role": "Ihre Rolle",
        "HR admin": "HR-Administrator",
        "Participant": "Teilnehmer",
        "Your mentoring partners will appear here once a programme pairs you.": (
            "Ihre Mentoring-Partner erscheinen hier, sobald ein Programm Sie zuordnet."
        ),
        "Job title": "Stellenbezeichnung",
        "Employees": "Mitarbeitende",
        "LMS users waiting for a manual link": "LMS-Nutzer, die auf eine manuelle Verknüpfung warten",
        "Scopes the LMS admin removed": "Vom LMS-Administrator entfernte Berechtigungen",
        "Choose what to place in the course": "Wählen Sie, was in den Kurs eingefügt werden soll",
        "Place in course": "In den Kurs einfügen",
    },
}


def language(locale: str | None) -> str:
    """'fr-CA' / 'fr_CA' -> 'fr' when we have it, else 'en'."""
    lang = (locale or "en").replace("_", "-").split("-")[0].lower()
    return lang if lang in CATALOGUE else "en"


def translate(text: str, locale: str | None) -> str:
    return CATALOGUE.get(language(locale), {}).get(text, text)


def init_app(app) -> None:
    """`_()` and `lang` in every template, from the signed-in user's launch locale."""
    from flask import request, session

    def current_locale() -> str:
        user = session.get("user") or {}
        return user.get("locale") or request.accept_languages.best_match(["en", *CATALOGUE]) or "en"

    @app.context_processor
    def _inject():
        locale = current_locale()
        return {"_": lambda text: translate(text, locale), "lang": language(locale)}
