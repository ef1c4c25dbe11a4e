"""The webhook baseline: a bare Flask app that only verifies BambooHR's HMAC and answers 202.

Configured by environment: BENCH_WEBHOOK_KEY (the private key). Run with `gunicorn bench.bare_webhook:app`.
"""

from __future__ import annotations

import os

from flask import Flask, request

from plugin.errors import SignatureError
from plugin.webhooks.signature import verify_bamboohr

app = Flask(__name__)
KEY = os.environ["BENCH_WEBHOOK_KEY"]


@app.post("/webhooks/bamboohr/<int:connection_id>")
def receive(connection_id: int):
    try:
        verify_bamboohr(
            request.get_data(),
            signature=request.headers.get("X-BambooHR-Signature"),
            timestamp=request.headers.get("X-BambooHR-Timestamp"),
            private_key=KEY,
        )
    except SignatureError:
        return {"error": "bad signature"}, 401
    return {"accepted": 1}, 202


@app.get("/healthz")
def healthz():
    return {"ok": True}
