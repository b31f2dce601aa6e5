"""``backsafe serve``: run the web app with uvicorn (the main CLI calls :func:`register`)."""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["register", "serve_cmd"]


def serve_cmd(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (127.0.0.1 = this machine only).")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
) -> None:
    """Start the web app: accounts, upload and analysis, reports, training log, plan (settings: BACKSAFE_* env)."""
    try:
        import uvicorn
        from pydantic import ValidationError

        from .config import Settings
        from .main import create_app
    except ImportError as e:  # the core install has no web stack: say which extra brings it
        typer.echo(f"error: the web app needs its extra ({e.name or e} is not installed): "
                   "pip install 'backsafe[web]'", err=True)
        raise typer.Exit(1) from None
    from ..errors import BacksafeError

    try:
        settings = Settings()
        app = create_app(settings)
    except ValidationError as e:
        typer.echo(f"error: bad settings: {e.errors()[0].get('msg', e)}", err=True)
        raise typer.Exit(2) from None
    except BacksafeError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"backsafe web on http://{host}:{port}/ (data in {settings.data_dir})", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=True, server_header=False,
                timeout_keep_alive=SERVER_KEEP_ALIVE_S)


# How long an idle keep-alive connection stays open on the server. uvicorn's default is 5 s, the same as httpx's and
# many clients' pool expiry: a client then reuses a connection in the very instant the server closes it and gets
# "Server disconnected without sending a response" (seen in the load test on a loaded machine). Keeping it longer
# than clients keep theirs (and longer than the 60 s idle timeout of common load balancers) removes the race.
SERVER_KEEP_ALIVE_S = 75


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_cmd)
