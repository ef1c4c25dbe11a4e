"""A loopback BambooHR built from the vendor facts, serving a workforce given as EmployeeRecords.

Both host forms (`/api/v1/...` and `/api/gateway.php/{company}/v1/...`), API key (Basic) and OAuth
(`/authorize.php`, `/token.php` with refresh rotation and invalid_grant), the directory (XML unless
JSON is asked for), the cursor-paged `/employees` list (OAuth only, `_restrictedFields`, BadPage),
`/employees/changed` (a map keyed by id), jobInfo tables, training types and records, the streamed
custom report (exact Content-Type or 400 "Malformed XML"), datasets v2, webhook creation, restricted fields, and faults.

    emulator = BambooHREmulator(workforce, api_key="k").start()   # emulator.base_url
    emulator.update("12", job_title="CTO"); emulator.terminate("13"); emulator.hire(record)
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterable
from urllib.parse import urlencode

from flask import Flask, Response, g, redirect, request

from plugin.domain.employee import EmployeeRecord
from plugin.emulators import bamboohr_shape as shape
from plugin.emulators.bamboohr_routes import BambooHRApi
from plugin.emulators.bamboohr_training import TrainingApi
from plugin.emulators.hris import HrisEmulator
from plugin.emulators.server import LoopbackServer
from plugin.emulators.state import Clock, Faults, Roster, Seen, seen
from plugin.emulators.tokens import InvalidGrant, TokenIssuer
from plugin.webhooks.signature import bamboohr_signature

DROPPED = object()  # a vendor field left out of a served row


class BambooHREmulator(HrisEmulator):
    """One emulated BambooHR company. Mutate it with hire/update/terminate/delete between reads."""

    def __init__(
        self,
        workforce: Iterable[EmployeeRecord],
        *,
        company: str = "acme",
        api_key: str = "key",
        oauth_clients: dict[str, str] | None = None,
        rotate_refresh: bool = True,
        restricted_fields: Iterable[str] = (),
        faults: Faults | None = None,
        misspelt_error_header: bool = False,
        directory_shared: bool = True,
        clock: Clock | None = None,
    ):
        self.company, self.api_key = company, api_key
        self.clock = clock or Clock()
        self.roster = Roster(workforce, self.clock)
        self.tokens = TokenIssuer(oauth_clients or {"client": "secret"}, rotate=rotate_refresh)
        self.restricted = frozenset(restricted_fields)
        self.faults = faults or Faults()
        self.error_header = f"X-BambooHR-Error-{'Messsage' if misspelt_error_header else 'Message'}"
        self.directory_shared = directory_shared
        self.lost: set[str] = set()  # employees a broken read leaves out, though nobody left
        self.quirks: dict[str, dict] = {}  # per employee: vendor fields served differently (DROPPED: absent)
        self.webhooks: dict[str, dict] = {}
        self.requests: list[Seen] = []  # every API call, for assertions
        self.training = TrainingApi(self)
        self.app = self._make_app()
        self.server = LoopbackServer(self.app)

    # -- mutations beyond the shared ones ----------------------------------------------------------
    def delete(self, source_id: str) -> None:
        """Delete an employee (reported as Deleted by /employees/changed)."""
        self.roster.delete(source_id)

    def lose(self, source_ids: Iterable[str]) -> None:
        """Leave these employees out of every bulk read, as a broken vendor or a narrowed key would."""
        self.lost.update(source_ids)

    def serve_raw(self, source_id: str, **fields) -> None:
        """Serve these vendor fields of one employee as given (DROPPED leaves the field out)."""
        self.quirks.setdefault(source_id, {}).update(fields)

    def report_row(self, source_id: str, fields: list[str]) -> dict | None:
        """One employee as a bulk read serves them: the asked fields, quirks applied; None if not served."""
        if source_id not in self.roster.records or source_id in self.lost:
            return None
        row = {**self.vendor_row(source_id), "id": source_id, **self.quirks.get(source_id, {})}
        return {f: row[f] for f in dict.fromkeys(["id", *fields]) if row.get(f, DROPPED) is not DROPPED}

    def expected(self) -> list[EmployeeRecord]:
        """The employees a full read should return."""
        return list(self.roster.records.values())

    def webhook_delivery(
        self,
        webhook_id: str,
        source_id: str,
        event: str = "updated",
        changed_fields: Iterable[str] = ("firstName",),
        at: float | None = None,
    ):
        """A signed event delivery as BambooHR would POST it: (body bytes, headers)."""
        hook = self.webhooks[webhook_id]
        payload = {
            "type": f"employee.{event}",
            "timestamp": shape.stamp(self.clock.now()),
            "data": {"companyId": 1, "employeeId": source_id, "changedFields": list(changed_fields)},
        }
        body = json.dumps(payload).encode()
        timestamp = str(int(at if at is not None else time.time()))
        return body, {
            "Content-Type": "application/json",
            "X-BambooHR-Timestamp": timestamp,
            "X-BambooHR-Signature": bamboohr_signature(body, timestamp, hook["privateKey"]),
        }

    # -- vendor shape ------------------------------------------------------------------------------
    def vendor_row(self, source_id: str) -> dict[str, str]:
        """One employee as BambooHR holds them (every field, restricted ones included)."""
        return shape.vendor_record(self.roster.records[source_id], self.roster.changes[source_id].at)

    def fail(self, status: int, message: str, body=None) -> Response:
        """An error answer with BambooHR's message header."""
        payload = json.dumps(body) if body is not None else ""
        return Response(
            payload,
            status=status,
            mimetype="application/json",
            headers={self.error_header: message, "X-Request-ID": secrets.token_hex(8)},
        )

    # -- the app -----------------------------------------------------------------------------------
    def _make_app(self) -> Flask:
        app = Flask(f"bamboohr-emulator-{id(self)}")
        app.before_request(self._gate)
        app.add_url_rule("/token.php", "token", self._token, methods=["POST"])
        app.add_url_rule("/authorize.php", "authorize", self._authorize)
        BambooHRApi(self).mount(app)
        self.training.mount(app)
        return app

    def _gate(self):
        fault = self.faults.draw()
        if fault in ("429", "503"):
            return Response("", status=int(fault), headers={"Retry-After": str(self.faults.retry_after)})
        if fault == "timeout":  # the client gave up long ago; this answer goes nowhere
            return Response("", status=503)
        if request.path.startswith("/api/"):
            self.requests.append(seen(request))
            return self._authenticate()
        return None

    def _authenticate(self):
        auth = request.authorization
        g.oauth = False
        if auth is not None and auth.type == "basic":
            if auth.username == self.api_key:
                return None
            return self.fail(401, "Invalid API key")
        if auth is not None and auth.type == "bearer" and self.tokens.valid(auth.token or ""):
            g.oauth = True
            return None
        return Response("", status=401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})

    def _authorize(self):
        args = request.args
        if args.get("client_id") not in self.tokens.clients or not args.get("redirect_uri"):
            return self.fail(400, "unknown client or redirect_uri")
        code = self.tokens.code(args["client_id"], args.get("scope", ""), args["redirect_uri"])
        return redirect(f"{args['redirect_uri']}?{urlencode({'code': code, 'state': args.get('state', '')})}")

    def _token(self):
        form = request.form
        if request.args.get("request") != "token":
            return self.fail(404, "unknown request")
        if not self.tokens.client_ok(form.get("client_id"), form.get("client_secret")):
            return Response(json.dumps({"error": "invalid_client"}), status=401, mimetype="application/json")
        try:
            if form.get("grant_type") == "authorization_code":
                code, redirect_uri = form.get("code", ""), form.get("redirect_uri")
                token = self.tokens.exchange(form["client_id"], code, redirect_uri)
            elif form.get("grant_type") == "refresh_token":
                token = self.tokens.refresh(form["client_id"], form.get("refresh_token", ""))
            else:
                return Response(
                    json.dumps({"error": "unsupported_grant_type"}), status=400, mimetype="application/json"
                )
        except InvalidGrant as err:
            return Response(
                json.dumps({"error": "invalid_grant", "error_description": str(err)}),
                status=400,
                mimetype="application/json",
            )
        token.update({"id_token": "emulated.id.token", "companyDomain": self.company})
        return Response(json.dumps(token), mimetype="application/json")
