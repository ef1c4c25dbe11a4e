"""`flipside keys ...` and `flipside platform ...`: the tool's LTI keys and LMS registrations."""

from __future__ import annotations

import click

from . import _app_context, main


@main.group()
def keys():
    """The tool's LTI signing keys."""


@keys.command("rotate")
def keys_rotate():
    """Rotate the signing key: next becomes active; the old key stays in the JWKS until the next rotation."""
    from ..db import db as database
    from ..lti import keys as lti_keys

    app, ctx = _app_context()
    with ctx:
        old, new = lti_keys.rotate(database.session, app.extensions["flipside.vault"])
    click.echo(f"signing key rotated: {old} -> {new} (both stay published at /lti/jwks.json)")


@main.group()
def platform():
    """LMS platforms (LTI registrations)."""


@platform.command("add")
@click.option("--issuer", required=True, help="The platform's issuer (Moodle: its wwwroot).")
@click.option("--client-id", required=True)
@click.option("--auth-login-url", required=True, help="OIDC authorisation endpoint.")
@click.option("--auth-token-url", required=True, help="OAuth2 token endpoint.")
@click.option("--jwks-url", required=True, help="The platform's public keyset URL.")
@click.option("--deployment-id", "deployment_ids", multiple=True, help="Repeat for several deployments.")
@click.option("--org", "orgs", multiple=True, help="Organisation slug the deployments serve (repeatable).")
@click.option("--name", default="")
@click.option("--product", type=click.Choice(["moodle", "canvas", "other"]), default="other")
def platform_add(issuer, client_id, auth_login_url, auth_token_url, jwks_url, deployment_ids, orgs, name, product):
    """Register an LMS by hand and print the tool URLs to paste into it."""
    from ..db import db as database
    from ..lti import registrations

    app, ctx = _app_context()
    with ctx:
        row = registrations.register_by_hand(
            database.session,
            registrations.PlatformInput(
                issuer=issuer,
                client_id=client_id,
                auth_login_url=auth_login_url,
                auth_token_url=auth_token_url,
                key_set_url=jwks_url,
                name=name,
                product=product,
                deployment_ids=tuple(deployment_ids),
            ),
            orgs,
        )
        click.echo(
            f"platform {row.id} registered: {issuer} client {client_id}, "
            f"deployments {', '.join(deployment_ids) or '(none yet)'}"
        )
        for label, url in registrations.tool_urls(app.config["FLIPSIDE"].base_url).items():
            click.echo(f"  {label}: {url}")


@platform.command("activate")
@click.argument("registration_id", type=int)
@click.option("--org", "orgs", multiple=True, required=True, help="Organisation slug (repeatable).")
def platform_activate(registration_id, orgs):
    """Activate a dynamically registered platform and attach its deployments to organisations."""
    from ..db import db as database
    from ..lti import registrations

    _app, ctx = _app_context()
    with ctx:
        row = registrations.activate_for(database.session, registration_id, orgs)
        click.echo(f"platform {row.id} active for {', '.join(orgs)}")


@platform.command("invite")
@click.argument("org")
def platform_invite(org):
    """Print the dynamic registration URL that installs Flipside for ORG."""
    from ..db import db as database
    from ..lti.dynamic_registration import invitation
    from ..services.organisations import find_organisation

    app, ctx = _app_context()
    with ctx:
        settings = app.config["FLIPSIDE"]
        token = invitation(settings.secret_key, find_organisation(database.session, org).id)
        click.echo(f"{settings.base_url}/lti/register?org={token}")
