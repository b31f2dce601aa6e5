"""Web settings (pydantic-settings): typed, defaults in one place, read from ``BACKSAFE_*`` environment variables.

Secrets come only from the environment. In production mode (``BACKSAFE_ENVIRONMENT=production``) a missing,
short or placeholder ``BACKSAFE_SECRET_KEY`` is refused at start-up; in development a random key is made for the
process (log-in sessions survive a restart, since they live in the database, but form tokens issued before the
restart do not).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "PLACEHOLDER_SECRETS"]

PLACEHOLDER_SECRETS = frozenset({"", "changethis", "change-me", "changeme", "secret", "dev", "development",
                                 "please-change", "xxx", "test"})


def _default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("backsafe", appauthor=False)) / "web"


class Settings(BaseSettings):
    """Everything the web app can be told. ``Settings()`` reads the environment; tests pass values directly."""

    model_config = SettingsConfigDict(env_prefix="BACKSAFE_", extra="ignore", frozen=True)

    environment: Literal["development", "production"] = "development"
    secret_key: str = Field(default="", repr=False)
    database_url: str | None = None  # None: the coach's default SQLite file (backsafe.db.resolve_database_url)
    data_dir: Path = Field(default_factory=_default_data_dir)  # uploads, reports, kept clips
    ray_address: str | None = None

    # uploads
    max_upload_mb: float = 200.0
    max_duration_s: float = 300.0
    max_video_side_px: int = 4096

    # jobs
    workers: int = 2
    job_max_attempts: int = 3  # a job interrupted by a restart is re-queued up to this many starts
    job_stale_after_s: float = 30.0  # a running job with no heartbeat for this long is orphaned
    job_heartbeat_s: float = 2.0
    job_timeout_s: float = 1800.0
    # a file under users/ that no row points at (left by a killed server) is removed once untouched this long: longer
    # than any live gap between writing a file and committing its row (a probe, a 30 s wait for SQLite's lock)
    orphan_min_age_s: float = 120.0
    max_open_jobs_per_user: int = 3  # queued + running clips of one person; the next upload is a 429
    # Without "keep the videos" at upload, the annotated video and the report's key frames (pictures of the person)
    # are kept this many days after the analysis, then removed (the report, its numbers and keypoints stay); the
    # person can drop them sooner. 0: never kept unless asked.
    media_keep_days: float = 7.0

    # accounts
    session_days: int = 14
    login_max_failures: int = 5  # per user name (and 4x this per client address) within the window
    login_window_s: float = 300.0
    https: bool | None = None  # None: Secure cookies when the request came over https
    trusted_hosts: list[str] = Field(default_factory=lambda: ["*"])

    @model_validator(mode="after")
    def _check(self) -> Settings:
        key = self.secret_key.strip()
        if self.environment == "production":
            if key.lower() in PLACEHOLDER_SECRETS or len(key) < 32:
                raise ValueError(
                    "BACKSAFE_SECRET_KEY is missing, a placeholder or shorter than 32 characters; in production set "
                    "it to a random value, e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))'"
                )
        elif not key:
            object.__setattr__(self, "secret_key", secrets.token_urlsafe(48))
        if self.max_upload_mb <= 0 or self.max_duration_s <= 0:
            raise ValueError("upload limits must be positive")
        if self.orphan_min_age_s <= 0:
            raise ValueError("orphan_min_age_s must be positive")
        if not 1 <= self.max_open_jobs_per_user <= 1000:
            raise ValueError(f"max_open_jobs_per_user {self.max_open_jobs_per_user}: expected 1-1000")
        if not 0 <= self.media_keep_days <= 3650:
            raise ValueError(f"media_keep_days {self.media_keep_days}: expected 0-3650")
        if not 1 <= self.workers <= 64:
            raise ValueError(f"workers {self.workers}: expected 1-64")
        return self

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)
