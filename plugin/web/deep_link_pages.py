"""/lti/deep-link/<launch_id>: staff choose what to place in their course after a deep-linking launch."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, session

from ..domain.roles import COORDINATOR, HR_ADMIN
from ..lti import deep_linking
from ..lti.rejection import LaunchRejected
from ..lti.runtime import base_url, launch_store, tool_conf
from ..lti.views import rejected
from . import access

bp = Blueprint("lti_deep_link", __name__, url_prefix="/lti/deep-link")
bp.register_error_handler(LaunchRejected, rejected)  # the same page as every refused LTI message


def _deep_link_launch(launch_id: str) -> tuple[dict, dict]:
    user = session.get("user") or {}
    claims = launch_store().launch(launch_id)
    if not claims or user.get("launch_id") != launch_id:
        raise LaunchRejected("state_unknown")
    access.require(HR_ADMIN, COORDINATOR)  # course Instructors place Flipside in their course
    deep_linking.check_return_url(tool_conf(), claims, production=current_app.config["FLIPSIDE"].production)
    return user, claims


@bp.get("/<launch_id>")
def deep_link_choose(launch_id: str):
    user, _claims = _deep_link_launch(launch_id)
    items = deep_linking.offered_items(user["organisation_id"], base_url())
    return render_template("lti/deep_link.html", items=items, launch_id=launch_id)


@bp.post("/<launch_id>")
def deep_link_return(launch_id: str):
    user, claims = _deep_link_launch(launch_id)
    offered = deep_linking.offered_items(user["organisation_id"], base_url())
    chosen = [offered[int(i)] for i in request.form.getlist("item") if i.isdigit() and int(i) < len(offered)]
    token, return_url = deep_linking.response_jwt(
        tool_conf(), claims, chosen, production=current_app.config["FLIPSIDE"].production
    )
    return render_template("lti/deep_link_return.html", token=token, return_url=return_url)
