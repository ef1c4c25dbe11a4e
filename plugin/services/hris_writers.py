"""Training writers built from a stored HRIS connection (its settings and decrypted credentials)."""

from __future__ import annotations

from ..connectors.bamboohr import BambooHRConnector
from ..connectors.training import BambooHRTrainingWriter, TrainingWriter, WorkdayLearningWriter
from ..connectors.workday import WorkdayConnector
from ..errors import ConfigError, NeedsReconnect
from ..models import Connection
from ..vault import Vault
from . import connection_settings, connections


def training_writer(conn: Connection, vault: Vault) -> TrainingWriter:
    """The writer for this connection's vendor; Workday's learning path may be set per connection."""
    settings = connection_settings.hris(conn)
    creds = connections.credentials(conn, vault) if conn.credentials_ciphertext else {}
    if conn.vendor == "bamboohr":
        if not creds.get("api_key"):
            raise NeedsReconnect(f"BambooHR connection {conn.id} has no API key for training write-back")
        return BambooHRTrainingWriter(
            BambooHRConnector(settings.company, api_key=creds["api_key"], host=settings.host, origin=settings.origin)
        )
    if conn.vendor == "workday":
        if not creds.get("refresh_token"):
            raise NeedsReconnect(f"Workday connection {conn.id} has no refresh token; connect it")
        oauth = WorkdayConnector.oauth_client(
            settings.host,
            settings.tenant,
            client_id=creds.get("client_id", ""),
            client_secret=creds.get("client_secret", ""),
            refresh_token=creds["refresh_token"],
            origin=settings.origin,
        )
        connector = WorkdayConnector(settings.host, settings.tenant, oauth=oauth, origin=settings.origin)
        path = settings.learning_path
        return WorkdayLearningWriter(connector, path) if path else WorkdayLearningWriter(connector)
    raise ConfigError(f"connection {conn.id} ({conn.vendor}) is not an HRIS")
