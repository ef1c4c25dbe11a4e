"""The framework-free core: dataclasses and pure functions. Never imports flask, requests, rq or the ORM."""
