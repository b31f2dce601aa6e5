"""The web tables' own Alembic chain (backsafe/web/migrations), on SQLite and PostgreSQL: w0002 adds
``web_jobs.reference_report_id`` (w0004 ``person`` and ``model``) to a database with jobs in it and takes it away
again, and the models match the migrated schema (as tests/unit/db/test_migrations.py checks for the coach's
chain)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from backsafe.db import open_database
from backsafe.db.models import User
from backsafe.web.db import downgrade_web, open_web_database, upgrade_web, web_head, web_revision
from backsafe.web.models import WebBase


def _job_columns(db: Any) -> set[str]:
    return {c["name"] for c in sa.inspect(db.engine).get_columns("web_jobs")}


def _job_indexes(db: Any) -> set[tuple[str, ...]]:
    return {tuple(ix["column_names"]) for ix in sa.inspect(db.engine).get_indexes("web_jobs")}


def _add_job(db: Any, public_id: str) -> None:
    with db.session() as s:
        user = User(name=f"u{public_id}", created_at=sa.func.now())
        s.add(user)
        s.flush()
        s.execute(sa.text(
            "INSERT INTO web_jobs (public_id, user_id, status, exercise, keep_video, upload_label, stage, "
            "progress_done, attempts, created_at) VALUES (:p, :u, 'queued', 'squat', :f, 'x.mp4', 'queued', 0, 0, "
            "CURRENT_TIMESTAMP)"), {"p": public_id, "u": user.id, "f": False})


def _jobs(db: Any) -> list[str]:
    with db.engine.connect() as c:
        return [r[0] for r in c.execute(sa.text("SELECT public_id FROM web_jobs ORDER BY public_id"))]


def test_w0002_adds_and_drops_the_reference_column_keeping_jobs(db_url: str) -> None:
    db = open_database(db_url)  # the coach's tables (users) first, as the web app opens it
    try:
        upgrade_web(db, "w0001")
        assert web_revision(db) == "w0001" and "reference_report_id" not in _job_columns(db)
        _add_job(db, "a" * 32)
        indexes = _job_indexes(db)
        upgrade_web(db, "w0002")
        assert web_revision(db) == "w0002"
        assert "reference_report_id" in _job_columns(db)
        with db.engine.connect() as c:
            assert c.execute(sa.text("SELECT reference_report_id FROM web_jobs")).all() == [(None,)]
        downgrade_web(db, "w0001")
        assert "reference_report_id" not in _job_columns(db)
        assert _jobs(db) == ["a" * 32] and _job_indexes(db) == indexes  # the rows and indexes survive
        upgrade_web(db)
        _add_job(db, "b" * 32)
        assert _jobs(db) == ["a" * 32, "b" * 32]
    finally:
        db.dispose()


def test_w0004_adds_person_and_model_and_old_jobs_run_with_the_defaults(db_url: str) -> None:
    from backsafe.web.job_options import job_options
    from backsafe.web.models import Job

    db = open_database(db_url)
    try:
        upgrade_web(db, "w0003")
        _add_job(db, "a" * 32)  # queued before person and model could be chosen
        indexes = _job_indexes(db)
        upgrade_web(db, "w0004")
        assert web_revision(db) == "w0004" and {"person", "model"} <= _job_columns(db)
        with db.session() as s:
            old = s.scalars(sa.select(Job)).one()
            assert (old.person, old.model) == (None, None)
            # the job's analysis is told neither: analyze's own defaults (auto, full), as before the migration
            assert job_options(old) == {"input_format": "video"}
            old.person, old.model = "left", "lite"
        with db.session() as s:
            assert job_options(s.scalars(sa.select(Job)).one()) == {"input_format": "video", "person": "left",
                                                                     "model": "lite"}
        downgrade_web(db, "w0003")
        assert not {"person", "model"} & _job_columns(db)
        assert _jobs(db) == ["a" * 32] and _job_indexes(db) == indexes  # the rows and indexes survive
        upgrade_web(db)
        assert web_revision(db) == web_head()
    finally:
        db.dispose()


def test_web_models_match_migrations(db_url: str) -> None:
    db = open_web_database(db_url)

    def web_only(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        return not (type_ == "table" and not (name or "").startswith("web_"))

    try:
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": web_only})
            diff = compare_metadata(ctx, WebBase.metadata)
        assert diff == []
    finally:
        db.dispose()
