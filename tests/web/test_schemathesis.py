"""Schemathesis against the web API's own OpenAPI document (/openapi.json), in process, on SQLite and PostgreSQL.

Every operation gets schema-valid (positive) and schema-violating (negative) requests generated from the document,
sent through schemathesis' ASGI client to the app that ``create_app`` built (fake analysis, job runner running):

* as a signed-up person with a bearer token (``/api/auth/token``), and
* with no credentials at all.

Each answer must not be a server error (no 5xx, no exception escaping the app) and must conform to the document:
a documented status code, the documented content type, a body matching the response schema, and schema-violating
requests rejected. Then the routes with ids are called with REAL ids (a finished job and report with a kept clip,
and a coach the person shares with) so the 200 answers are checked against their schemas too.

Not checked: ``positive_data_acceptance`` — the document types ``exercise`` as any short string and a clip as any
bytes; an unknown exercise or an unreadable clip is a documented 422, not a schema violation.

Bounded: ``BACKSAFE_SCHEMATHESIS_EXAMPLES`` examples per operation and mode (12 with a token, a third of that
without), derandomized so CI sees the same requests each run; the whole file takes ~30 s on two workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed (requirements-dev.lock)")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.python import asgi  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

from webhelpers import PASSWORD, ApiUser  # noqa: E402

EXAMPLES = int(os.environ.get("BACKSAFE_SCHEMATHESIS_EXAMPLES", "12"))
BASE = "http://testserver"


class Fuzz:
    """The app, a client into it, the seeded ids, and the failures found so far."""

    def __init__(self, client: Any, clip: Path) -> None:
        self.app = client.app
        self.http = asgi.get_client(self.app)  # not entered: the TestClient already ran the app's start-up
        coach = ApiUser(client, "fuzzcoach", role="coach")
        person = ApiUser(client, "fuzzer")
        r = client.post("/api/shares", headers=person.h, json={"coach": coach.name})
        assert r.status_code == 201, r.text
        r = person.upload(clip, keep_video="true")
        assert r.status_code == 202, r.text
        job = person.wait_job(r.json()["id"])
        assert job["status"] == "done", job
        self.job_id, self.report_id, self.person_id = job["id"], job["report_id"], person.id
        self.token, self.token_id = self._token(client, person.name)
        self.coach_token, _ = self._token(client, coach.name)
        doc = self.http.get("/openapi.json")
        assert doc.status_code == 200
        self.schema = schemathesis.openapi.from_dict(doc.json())
        self.failures: list[str] = []
        self.calls = 0

    @staticmethod
    def _token(client: Any, name: str) -> tuple[str, int]:
        r = client.post("/api/auth/token", json={"name": name, "password": PASSWORD, "token_name": "fuzz"})
        assert r.status_code == 201, r.text
        return r.json()["token"], r.json()["id"]

    def send(self, case: Any, headers: dict[str, str], *, expect_ok: bool = False) -> None:
        self.calls += 1
        where = f"{case.operation.label} [{case.meta.generation.mode.value if case.meta else 'explicit'}]"
        try:
            resp = case.call(session=self.http, base_url=BASE, headers=headers)
        except Exception as e:  # an exception escaping the app is a 500 under uvicorn
            self.failures.append(f"{where}: the app raised {type(e).__name__}: {e}\n    {_curl(case)}")
            return
        try:
            case.validate_response(resp, headers=headers, excluded_checks=[positive_data_acceptance])
        except Exception as e:  # schemathesis' FailureGroup: the message lists every failed check
            lines = [ln for ln in str(e).splitlines() if ln.strip()][:6]
            self.failures.append(f"{where}: {resp.status_code}\n    " + "\n    ".join(lines))
            return
        if expect_ok and resp.status_code != 200:
            self.failures.append(f"{where}: {resp.status_code} with a real id: {resp.text[:200]}")

    def fuzz(self, headers: dict[str, str], examples: int) -> None:
        for result in self.schema.get_all_operations():
            op = result.ok()
            self._fuzz_op(op, GenerationMode.POSITIVE, headers, examples)
            if _can_violate(op):
                self._fuzz_op(op, GenerationMode.NEGATIVE, headers, examples)

    def _fuzz_op(self, op: Any, mode: Any, headers: dict[str, str], examples: int) -> None:
        @settings(max_examples=examples, deadline=None, database=None, derandomize=True, print_blob=False,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy(generation_mode=mode))
        def run(case: Any) -> None:
            if (case.path_parameters or {}).get("token_id") == self.token_id:
                case.path_parameters["token_id"] = self.token_id + 1000  # never revoke the token under test
            self.send(case, headers)

        try:
            run()
        except Unsatisfiable:  # nothing to violate (no parameters, no body): no negative case exists
            pass


def _can_violate(op: Any) -> bool:
    """Is there any schema-violating request? Not for an operation whose only input is a plain string in the path
    (hypothesis would spend a second per operation proving it)."""
    raw = op.definition.raw
    if "requestBody" in raw:
        return True
    return any(p.get("in") != "path" or p.get("schema", {}).get("type") != "string"
               or set(p.get("schema", {})) - {"type", "title"} for p in raw.get("parameters", []))


def _curl(case: Any) -> str:
    try:
        return str(case.as_curl_command())
    except Exception:  # noqa: BLE001 - only for the message
        return "(no curl)"


@pytest.fixture
def fuzz(make_client: Callable[..., Any], synth_clip: Path) -> Fuzz:
    return Fuzz(make_client(), synth_clip)


def _report(f: Fuzz, phase: str) -> str:
    return f"{phase}: {len(f.failures)} of {f.calls} requests failed:\n" + "\n".join(f.failures[:30])


def test_openapi_fuzz(fuzz: Fuzz) -> None:
    """One test per database (the seeding takes a few seconds): token, no credentials, real ids."""
    token = {"Authorization": f"Bearer {fuzz.token}"}
    fuzz.fuzz(token, EXAMPLES)
    assert fuzz.calls > 20 * EXAMPLES
    assert not fuzz.failures, _report(fuzz, "with a bearer token")
    # the fuzzing did not lock us out (so the authenticated routes really were exercised to the end)
    r = fuzz.http.get(f"{BASE}/api/me", headers=token)
    assert r.status_code == 200, r.text

    fuzz.fuzz({}, max(3, EXAMPLES // 3))
    assert not fuzz.failures, _report(fuzz, "without credentials")

    real_ids_conform(fuzz)
    assert not fuzz.failures, _report(fuzz, "with real ids")


def real_ids_conform(fuzz: Fuzz) -> None:
    """200 answers with real ids match their schemas (the person's own, and a coach the person shares with)."""
    person = {"Authorization": f"Bearer {fuzz.token}"}
    coach = {"Authorization": f"Bearer {fuzz.coach_token}"}
    s = fuzz.schema
    ids = {"job_id": fuzz.job_id, "report_id": fuzz.report_id}
    for path in ("/api/jobs/{job_id}", "/api/reports/{report_id}", "/api/reports/{report_id}/html",
                 "/api/reports/{report_id}/video", "/api/reports/{report_id}/original"):
        op = s[path]["GET"]
        fuzz.send(op.Case(path_parameters={k: v for k, v in ids.items() if "{" + k + "}" in path}), person,
                  expect_ok=True)
    for path in ("/api/me", "/api/me/tokens", "/api/jobs", "/api/reports", "/api/log", "/api/checkins",
                 "/api/dashboard", "/api/plan", "/api/shares", "/api/exercises", "/api/triage/questions"):
        fuzz.send(s[path]["GET"].Case(), person, expect_ok=True)
    fuzz.send(s["/api/plan"]["GET"].Case(query={"date": "2024-02-29"}), person, expect_ok=True)
    fuzz.send(s["/api/coach/people"]["GET"].Case(), coach, expect_ok=True)
    for what in ("reports", "log", "plan"):
        op = s[f"/api/coach/people/{{person_id}}/{what}"]["GET"]
        fuzz.send(op.Case(path_parameters={"person_id": fuzz.person_id}), coach, expect_ok=True)
    fuzz.send(s["/api/reports/{report_id}"]["GET"].Case(path_parameters={"report_id": fuzz.report_id}), coach,
              expect_ok=True)
