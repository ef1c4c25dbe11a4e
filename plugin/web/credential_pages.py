"""Public credential pages: verification (HTML or JSON), the signed credential to download, its status."""

from __future__ import annotations

import json

from flask import Blueprint, Response, jsonify, render_template, request

from ..db import db
from ..services import credentials

bp = Blueprint("credentials", __name__)


@bp.get("/credentials/<uid>")
def verify(uid: str):
    """Anyone holding the link can check a credential: signature against our JWKS, and revocation."""
    row = credentials.public(db.session, uid)
    result = credentials.verify_token(row.jws, row)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(
            {"valid": result.valid, "revoked": result.revoked, "reason": result.reason, "credential": result.document}
        )
    return render_template("credentials/verify.html", row=row, result=result)


@bp.get("/credentials/<uid>.jwt")
def download(uid: str):
    """The signed credential (VC-JWT), to keep or to import into a wallet."""
    row = credentials.public(db.session, uid)
    return Response(
        row.jws,
        mimetype="application/vc+jwt",
        headers={"Content-Disposition": f'attachment; filename="flipside-credential-{uid}.jwt"'},
    )


@bp.get("/credentials/<uid>.json")
def document(uid: str):
    """The credential document as issued (unsigned view; the .jwt is the verifiable form)."""
    row = credentials.public(db.session, uid)
    return Response(json.dumps(row.document, indent=2), mimetype="application/ld+json")


@bp.get("/credentials/<uid>/status")
def status(uid: str):
    row = credentials.public(db.session, uid)
    return jsonify(
        {
            "id": row.document.get("id"),
            "revoked": row.revoked_at is not None,
            "reason": row.revoked_reason if row.revoked_at else "",
        }
    )
