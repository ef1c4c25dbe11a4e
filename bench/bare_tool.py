"""The baseline: a bare pylti1p3 Flask tool as its README shows it (inline
platform key, launch data in Redis).

Configured by environment: BENCH_REDIS_URL, BENCH_ISSUER, BENCH_CLIENT_ID, BENCH_DEPLOYMENT_ID,
BENCH_PLATFORM_JWKS (JSON), BENCH_TOOL_KEY (PEM). Run with `gunicorn bench.bare_tool:app`.
"""

from __future__ import annotations

import json
import os
import pickle

import redis
from flask import Flask
from pylti1p3.contrib.flask import FlaskCacheDataStorage, FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.tool_config import ToolConfDict


class RedisCache:
    """The get/set(key, value, timeout) object FlaskCacheDataStorage expects, on Redis."""

    def __init__(self, client: redis.Redis):
        self.client = client

    def get(self, key):
        raw = self.client.get(key)
        return pickle.loads(raw) if raw is not None else None  # noqa: S301 - our own values, local Redis

    def set(self, key, value, timeout=None):
        self.client.set(key, pickle.dumps(value), ex=timeout or None)
        return True


def _tool_conf() -> ToolConfDict:
    iss = os.environ["BENCH_ISSUER"]
    conf = ToolConfDict(
        {
            iss: [
                {
                    "default": True,
                    "client_id": os.environ["BENCH_CLIENT_ID"],
                    "auth_login_url": iss + "/auth",
                    "auth_token_url": iss + "/token",
                    "key_set_url": None,
                    "key_set": json.loads(os.environ["BENCH_PLATFORM_JWKS"]),
                    "deployment_ids": [os.environ["BENCH_DEPLOYMENT_ID"]],
                }
            ]
        }
    )
    conf.set_private_key(iss, os.environ["BENCH_TOOL_KEY"], client_id=os.environ["BENCH_CLIENT_ID"])
    return conf


app = Flask(__name__)
app.config["SECRET_KEY"] = "bench-baseline"  # noqa: S105 - a throwaway benchmark process
TOOL_CONF = _tool_conf()
CACHE = RedisCache(redis.Redis.from_url(os.environ["BENCH_REDIS_URL"]))


@app.route("/login", methods=["GET", "POST"])
def login():
    request = FlaskRequest()
    oidc = FlaskOIDCLogin(request, TOOL_CONF, launch_data_storage=FlaskCacheDataStorage(CACHE))
    return oidc.redirect(request.get_param("target_link_uri"))


@app.post("/launch")
def launch():
    message = FlaskMessageLaunch(FlaskRequest(), TOOL_CONF, launch_data_storage=FlaskCacheDataStorage(CACHE))
    data = message.get_launch_data()
    return {"ok": True, "sub": data["sub"]}
