"""`flipside connect moodle|canvas ORG ...`: LMS connections from the command line (tested with `connect test`)."""

from __future__ import annotations

from urllib.parse import urlsplit

import click

from .hris import _create, connect

URL_HELP = "The LMS's address, e.g. https://moodle.example.com (no path after the site root)."


def _url(ctx, param, value: str) -> str:
    """An http(s) site root; anything else is refused before a connection is stored."""
    parts = urlsplit(value or "")
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise click.BadParameter(f"{value!r} is not an http(s) address like https://lms.example.com")
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise click.BadParameter("use https: the token would cross the network in clear text")
    return value.rstrip("/")


def _secret(ctx, param, value: str | None) -> str | None:
    if value is not None and (not value.strip() or any(c.isspace() for c in value)):
        raise click.BadParameter("must be the token itself, without spaces")
    return value


@connect.command("moodle")
@click.argument("org")
@click.option("--url", required=True, callback=_url, help=URL_HELP)
@click.option(
    "--token",
    envvar="MOODLE_TOKEN",
    callback=_secret,
    help="A web-service token (Site administration > Server > Web services > Manage tokens).",
)
@click.option("--username", help="Instead of --token: the web-service user (a token is fetched from login/token.php).")
@click.option("--password", envvar="MOODLE_PASSWORD")
@click.option("--service", help="The external service's short name (with --username).")
@click.option("--user-auth", default=None, help="Auth plugin of the accounts Flipside creates (default manual).")
@click.option("--name", default="", help="A name HR will recognise (default: moodle).")
def connect_moodle(org, url, token, username, password, service, user_auth, name):
    """Connect Moodle's web services with a token, or with a web-service user's login."""
    if bool(token) == bool(username):
        raise click.UsageError("give --token, or --username with --password and --service")
    if username and not (password and service):
        raise click.UsageError("--username needs --password and --service")
    creds = {"token": token} if token else {"username": username, "password": password, "service": service}
    _create(org, "moodle", {"base_url": url, "user_auth": user_auth}, creds, name=name)


@connect.command("canvas")
@click.argument("org")
@click.option("--url", required=True, callback=_url, help=URL_HELP)
@click.option(
    "--token",
    envvar="CANVAS_TOKEN",
    callback=_secret,
    help="An access token of the developer key (or an admin's), for use without the OAuth consent.",
)
@click.option("--client-id", help="Instead of --token: the developer key's id (then `flipside connect oauth`).")
@click.option("--client-secret", envvar="CANVAS_CLIENT_SECRET")
@click.option("--account", "account_id", default=None, help="The Canvas account id (default: self).")
@click.option("--name", default="", help="A name HR will recognise (default: canvas).")
def connect_canvas(org, url, token, client_id, client_secret, account_id, name):
    """Connect Canvas with a developer key: an access token now, or the OAuth consent in the browser."""
    if bool(token) == bool(client_id):
        raise click.UsageError("give --token, or --client-id with --client-secret")
    if client_id and not client_secret:
        raise click.UsageError("--client-id needs --client-secret")
    settings = {"base_url": url, "account_id": account_id}
    if token:
        _create(org, "canvas", settings, {}, tokens={"access_token": token}, name=name)
    else:
        _create(org, "canvas", settings, {"client_id": client_id, "client_secret": client_secret}, name=name)
