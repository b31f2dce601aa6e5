"""``backsafe serve``: run the web app with uvicorn (the main CLI calls :func:`register`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register", "serve_cmd"]


def serve_cmd(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (127.0.0.1 = this machine only).")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
    https: Annotated[bool, typer.Option("--https", help="Serve over HTTPS (phones need it for the live page's "
                                        "camera): a self-signed certificate kept in the data folder, or yours "
                                        "with --certfile/--keyfile.")] = False,
    certfile: Annotated[Path | None, typer.Option("--certfile", help="Your certificate (PEM, may include the "
                                                  "chain); implies --https, needs --keyfile.")] = None,
    keyfile: Annotated[Path | None, typer.Option("--keyfile", help="The key of --certfile (PEM, unencrypted).")]
    = None,
) -> None:
    """Start the web app: accounts, upload and analysis, reports, training log, plan (settings: BACKSAFE_* env)."""
    if (certfile is None) != (keyfile is None):
        typer.echo("error: --certfile and --keyfile go together: give both (your certificate and its key), or "
                   "neither for a self-signed certificate with --https", err=True)
        raise typer.Exit(2)
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
    except ValidationError as e:
        typer.echo(f"error: bad settings: {e.errors()[0].get('msg', e)}", err=True)
        raise typer.Exit(2) from None
    # the certificate before the app: a bad --certfile is reported before migrations and the job runner start
    ssl_cert, ssl_key, fingerprint = _tls_files(https, certfile, keyfile, host, Path(settings.data_dir))
    try:
        app = create_app(settings)
    except BacksafeError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None
    if ssl_cert:
        from .tls import https_urls

        typer.echo(f"backsafe web on {'  '.join(https_urls(host, port))} (data in {settings.data_dir})", err=True)
        if fingerprint:
            typer.echo(f"self-signed certificate {ssl_cert}, SHA-256 fingerprint {fingerprint}", err=True)
            typer.echo("A phone warns once that this certificate is self-signed: compare the fingerprint it shows "
                       "with this one before you accept.", err=True)
    else:
        typer.echo(f"backsafe web on http://{host}:{port}/ (data in {settings.data_dir})", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=True, server_header=False,
                timeout_keep_alive=SERVER_KEEP_ALIVE_S, ssl_certfile=ssl_cert, ssl_keyfile=ssl_key)


def _tls_files(https: bool, certfile: Path | None, keyfile: Path | None, host: str,
               data_dir: Path) -> tuple[str | None, str | None, str | None]:
    """uvicorn's ssl_certfile and ssl_keyfile (None for plain HTTP) and a self-signed certificate's fingerprint."""
    if certfile is None and not https:
        return None, None, None
    from ..errors import BacksafeError
    from . import tls

    fingerprint = None
    try:
        if certfile is not None and keyfile is not None:
            tls.check_own_certificate(certfile, keyfile)
        else:
            certfile, keyfile, fingerprint = tls.ensure_self_signed(data_dir / "tls", tls.local_names(host))
    except ImportError as e:
        typer.echo(f"error: --https without --certfile/--keyfile makes a self-signed certificate with the "
                   f"'cryptography' package ({e.name or e} is not installed): pip install 'backsafe[web]' "
                   "(or pip install cryptography), or give your own --certfile/--keyfile", err=True)
        raise typer.Exit(1) from None
    except (BacksafeError, OSError) as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(1) from None
    return str(certfile), str(keyfile), fingerprint


# How long an idle keep-alive connection stays open on the server. uvicorn's default is 5 s, the same as httpx's and
# many clients' pool expiry: a client then reuses a connection in the very instant the server closes it and gets
# "Server disconnected without sending a response" (seen in the load test on a loaded machine). Keeping it longer
# than clients keep theirs (and longer than the 60 s idle timeout of common load balancers) removes the race.
SERVER_KEEP_ALIVE_S = 75


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_cmd)
