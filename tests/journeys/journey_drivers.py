"""Two ways a person reaches the coach: the public CLI (``backsafe`` commands, in process through Typer's runner) and
the web app's JSON API (a signed-up account over HTTP). A journey is written once against :class:`Driver` and runs
through both, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any


class Refused(Exception):
    """The front end refused the input (CLI exit 2/3, web 4xx) with a message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


def _kg_or_none(load: str | float, in_kg: bool) -> float | None:
    """Loads given in kg go through the kg option every version of backsafe had (``--load-kg``, ``load_kg``), so a
    journey fails on an older version for what it checks, not for an unknown option; pounds use ``--load``."""
    if in_kg or isinstance(load, (int, float)):
        return float(load)
    text = str(load).strip().lower()
    return float(text[:-2]) if text.endswith("kg") else None


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


class Driver:
    name = "?"

    def triage(self, date: dt.date, flags: tuple[str, ...] = (), *, injury_date: dt.date | None = None,
               cleared: bool = False) -> dict[str, Any]:
        raise NotImplementedError

    def profile(self, **kw: Any) -> dict[str, Any]:
        raise NotImplementedError

    def log(self, date: dt.date, exercise: str, load: str | float = 0, sets: int = 3, reps: int = 10,
            **kw: Any) -> dict[str, Any]:
        raise NotImplementedError

    def checkin(self, date: dt.date, pain: int, sleep_hours: float | None = None) -> dict[str, Any]:
        raise NotImplementedError

    def outcome(self, date: dt.date, pain_week: int | None = None,
                psfs: dict[str, float] | None = None) -> dict[str, Any]:
        raise NotImplementedError

    def plan(self, date: dt.date, exercises: list[str] | None = None) -> dict[str, Any]:
        raise NotImplementedError

    def plan_text(self, date: dt.date) -> str:
        raise NotImplementedError

    def progress(self) -> dict[str, Any]:
        raise NotImplementedError

    def entry_count(self) -> int:
        raise NotImplementedError

    def follow(self, date: dt.date, *, pain_during: int = 1, rpe: float = 7, morning: int | None = 1,
               exercises: list[str] | None = None) -> dict[str, Any]:
        """Do exactly what the plan says, log it, check in next morning; returns the plan followed."""
        p = self.plan(date, exercises)
        for i, rx in enumerate(p["exercises"]):
            self.log(date, rx["exercise"], rx["load_kg"], rx["sets"], rx["reps"], rpe=rpe, pain_before=1,
                     pain_during=pain_during, pain_after=pain_during, warmup=i == 0, in_kg=True)
        if morning is not None:
            self.checkin(date + dt.timedelta(days=1), morning)
        return p


class CliDriver(Driver):
    """``backsafe <command> --db URL ... --format json`` through the real Typer app."""

    name = "cli"

    def __init__(self, db_url: str) -> None:
        from typer.testing import CliRunner

        from backsafe.cli import app

        self.app, self.runner, self.db = app, CliRunner(), db_url

    def run(self, *args: str, ok: bool = True) -> Any:
        r = self.runner.invoke(self.app, [*args, "--db", self.db], catch_exceptions=False)
        if r.exit_code != 0:
            raise Refused(r.exit_code, (r.stderr if hasattr(r, "stderr") else r.output).strip())
        return r.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--format", "json"))

    def triage(self, date: dt.date, flags: tuple[str, ...] = (), *, injury_date: dt.date | None = None,
               cleared: bool = False) -> dict[str, Any]:
        args = ["triage", "--date", date.isoformat()]
        args += [a for f in flags for a in ("--yes", f)] or ["--none"]
        if injury_date:
            args += ["--injury-date", injury_date.isoformat()]
        if cleared:
            args += ["--clinician-cleared"]
        return dict(self.json(*args))

    def profile(self, **kw: Any) -> dict[str, Any]:
        args = ["profile"]
        for k, v in kw.items():
            if k == "equipment":
                for kind, loads in v.items():
                    args += ["--equipment", f"{kind}=" + ",".join(f"{x:g}" for x in loads)]
            else:
                args += [f"--{k.replace('_', '-')}", str(v)]
        return dict(self.json(*args))

    def log(self, date: dt.date, exercise: str, load: str | float = 0, sets: int = 3, reps: int = 10,
            **kw: Any) -> dict[str, Any]:
        in_kg = kw.pop("in_kg", False)
        args = ["log", "--date", date.isoformat(), "--exercise", exercise, "--sets", str(sets), "--reps", str(reps)]
        kg = _kg_or_none(load, in_kg)
        args += ["--load-kg", f"{kg!r}"] if kg is not None else ["--load", str(load)]
        for k, v in kw.items():
            if v is None:
                continue
            if k == "warmup":
                args.append("--warmup" if v else "--no-warmup")
            else:
                args += [f"--{k.replace('_', '-')}", str(v)]
        return dict(self.json(*args))

    def checkin(self, date: dt.date, pain: int, sleep_hours: float | None = None) -> dict[str, Any]:
        args = ["checkin", "--date", date.isoformat(), "--pain", str(pain)]
        if sleep_hours is not None:
            args += ["--sleep-hours", str(sleep_hours)]
        return dict(self.json(*args))

    def outcome(self, date: dt.date, pain_week: int | None = None,
                psfs: dict[str, float] | None = None) -> dict[str, Any]:
        args = ["outcome", "--date", date.isoformat()]
        if pain_week is not None:
            args += ["--pain-week", str(pain_week)]
        for a, s in (psfs or {}).items():
            args += ["--psfs", f"{a}={s:g}"]
        return dict(self.json(*args))

    def plan(self, date: dt.date, exercises: list[str] | None = None) -> dict[str, Any]:
        args = ["plan", "--date", date.isoformat()]
        for e in exercises or []:
            args += ["--exercise", e]
        return dict(self.json(*args))

    def plan_text(self, date: dt.date) -> str:
        return str(self.run("plan", "--date", date.isoformat()))

    def progress(self) -> dict[str, Any]:
        return dict(self.json("progress"))

    def entry_count(self) -> int:
        doc = json.loads(self.run("export", "--format", "json"))
        return sum(len(s["entries"]) for s in doc["sessions"])


class WebDriver(Driver):
    """A person with an account on the web app, through its JSON API (cookie session + CSRF header)."""

    name = "web"

    def __init__(self, client: Any, user: str = "jordan") -> None:
        self.c = client
        r = client.post("/api/auth/signup", json={"name": user, "password": "correct horse battery staple"})
        assert r.status_code == 201, r.text
        r = client.post("/api/auth/login", json={"name": user, "password": "correct horse battery staple"})
        assert r.status_code == 200, r.text
        self.h = {"X-CSRF-Token": r.json()["csrf_token"]}

    def _ok(self, r: Any) -> Any:
        if r.status_code >= 400:
            detail = r.json().get("detail") if r.headers.get("content-type", "").startswith("application/json") else r.text
            raise Refused(r.status_code, str(detail))
        return r.json()

    def triage(self, date: dt.date, flags: tuple[str, ...] = (), *, injury_date: dt.date | None = None,
               cleared: bool = False) -> dict[str, Any]:
        body = {"date": date.isoformat(), "flags": list(flags), "injury_date": _iso(injury_date),
                "clinician_cleared": cleared}
        return dict(self._ok(self.c.post("/api/triage", json=body, headers=self.h)))

    def profile(self, **kw: Any) -> dict[str, Any]:
        return dict(self._ok(self.c.put("/api/profile", json=kw, headers=self.h)))

    def log(self, date: dt.date, exercise: str, load: str | float = 0, sets: int = 3, reps: int = 10,
            **kw: Any) -> dict[str, Any]:
        in_kg = kw.pop("in_kg", False)
        body: dict[str, Any] = {"date": date.isoformat(), "exercise": exercise, "sets": sets, "reps": reps}
        body.update({k: v for k, v in kw.items() if v is not None})
        kg = _kg_or_none(load, in_kg)
        if kg is not None:
            body["load_kg"] = kg
        else:
            body["load"] = str(load)
        return dict(self._ok(self.c.post("/api/log", json=body, headers=self.h)))

    def checkin(self, date: dt.date, pain: int, sleep_hours: float | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"date": date.isoformat(), "pain": pain}
        if sleep_hours is not None:
            body["sleep_hours"] = sleep_hours
        return dict(self._ok(self.c.post("/api/checkins", json=body, headers=self.h)))

    def outcome(self, date: dt.date, pain_week: int | None = None,
                psfs: dict[str, float] | None = None) -> dict[str, Any]:
        body = {"date": date.isoformat(), "pain_week": pain_week, "psfs": psfs or {}}
        return dict(self._ok(self.c.post("/api/outcomes", json=body, headers=self.h)))

    def plan(self, date: dt.date, exercises: list[str] | None = None) -> dict[str, Any]:
        params: list[tuple[str, str]] = [("date", date.isoformat())] + [("exercise", e) for e in exercises or []]
        return dict(self._ok(self.c.get("/api/plan", params=params)))

    def plan_text(self, date: dt.date) -> str:
        r = self.c.get("/plan", params={"date": date.isoformat()})
        assert r.status_code == 200, r.text
        return str(r.text)

    def progress(self) -> dict[str, Any]:
        return dict(self._ok(self.c.get("/api/dashboard")))

    def entry_count(self) -> int:
        return len(self._ok(self.c.get("/api/log")))


def make_web_client(db_url: str, data_dir: Path) -> Any:
    from fastapi.testclient import TestClient

    from backsafe.web.config import Settings
    from backsafe.web.main import create_app

    settings = Settings(database_url=db_url, data_dir=data_dir, workers=1, secret_key="journeys-" + "x" * 40)
    c = TestClient(create_app(settings, run_jobs=False), base_url="http://testserver")
    c.__enter__()
    return c
