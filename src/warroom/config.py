"""Settings, read from WARROOM_* environment variables; built by entry points, never at import."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WARROOM_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./warroom.db",
        description="SQLAlchemy URL: sqlite:///./warroom.db or postgresql+psycopg://user@host/db",
    )
    playbook: Path | None = Field(
        default=None, description="Playbook YAML file; the built-in default when unset"
    )
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str | None = Field(
        default=None, description="Base URL users reach warroom at, used in links"
    )
    max_body_bytes: int = Field(default=1_048_576, description="Largest API request body")
    log_level: str = "info"
