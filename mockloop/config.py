"""Configuration: defaults, then instance/config.py, then MOCKLOOP_* environment variables."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask

PACKAGE = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE.parent
# Run from a checkout (or an editable install of one): the repository's prompts/ and instance/.
IN_CHECKOUT = (REPO_ROOT / "pyproject.toml").is_file() and (REPO_ROOT / "prompts").is_dir()


def shipped_prompts() -> Path:
    """The shipped prompt bank: prompts/ in a checkout, mockloop/prompts inside an installed wheel."""
    return REPO_ROOT / "prompts" if IN_CHECKOUT else PACKAGE / "prompts"


def default_instance() -> Path:
    """instance/ in a checkout; installed, the user's data folder ($XDG_DATA_HOME/mockloop, by default
    ~/.local/share/mockloop), since site-packages is no place for a database."""
    if IN_CHECKOUT:
        return REPO_ROOT / "instance"
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "mockloop"


class Defaults:
    DATABASE_URL = None  # None: SQLite in instance/mockloop.sqlite
    PROMPTS_DIR = str(shipped_prompts())
    LOOP_FILE = None  # None: PROMPTS_DIR/loop.yaml
    USER_PROMPTS_DIR = None  # None: instance/prompts
    SIGNUP_OPEN = True
    HOST = "127.0.0.1"
    PORT = 5000
    MAX_CONTENT_LENGTH = 1024 * 1024  # 1 MiB per request; scratchpads are capped lower
    TRUSTED_PROXIES = 0  # reverse proxies in front whose X-Forwarded-* headers to believe
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None  # a token lives as long as the login; long rounds must not lose a form
    # AI on the user's own model (README, "AI"): off unless a provider is named.
    AI_PROVIDER = None  # anthropic | openai (any OpenAI-compatible chat endpoint)
    AI_MODEL = None
    AI_BASE_URL = None  # an OpenAI-compatible server (llama.cpp, Ollama, vLLM), or a proxy
    AI_API_KEY = None  # better in the environment; read once, then kept out of app.config
    AI_DAILY_TOKENS = 200_000  # per user and UTC day, prompt and reply tokens together
    AI_TIMEOUT = 60  # seconds to wait for the provider


def instance_path(overrides: dict | None = None) -> str:
    """The instance folder: INSTANCE_PATH passed to create_app, MOCKLOOP_INSTANCE_PATH, or the default
    (instance/ in a checkout, else the user's data folder)."""
    path = (overrides or {}).get("INSTANCE_PATH") or os.environ.get("MOCKLOOP_INSTANCE_PATH")
    return str(Path(path).resolve()) if path else str(default_instance())


def load_config(app: Flask, overrides: dict | None = None) -> None:
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env(prefix="MOCKLOOP")
    if overrides:
        app.config.update(overrides)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    url = app.config["DATABASE_URL"] or f"sqlite:///{instance / 'mockloop.sqlite'}"
    if url.startswith("postgres://"):  # the old scheme many hosts still hand out
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    # A pooled PostgreSQL connection can die with the server or an idle timeout, so each checkout
    # tests it first; a SQLite connection is a file handle that cannot, and the test is one more
    # statement, and one more hand-over of the GIL, on every request.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "pool_pre_ping": not url.startswith("sqlite"),
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
    }
    create_private_sqlite(url)
    app.config["LOOP_FILE"] = app.config["LOOP_FILE"] or str(Path(app.config["PROMPTS_DIR"]) / "loop.yaml")
    app.config["USER_PROMPTS_DIR"] = app.config["USER_PROMPTS_DIR"] or str(instance / "prompts")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(instance)
    app.extensions["ai"] = ai_settings(app.config, os.environ)
    # The key lives only in the settings object (whose repr leaves it out): nothing that shows or
    # logs the configuration can reach it.
    app.config.pop("AI_API_KEY", None)


PROVIDERS = ("anthropic", "openai")
# Where each provider's key is looked for in the environment, after the app's own settings.
KEY_VARIABLES = {"anthropic": ("ANTHROPIC_API_KEY", "AI_API_KEY"), "openai": ("OPENAI_API_KEY", "AI_API_KEY")}


@dataclass(frozen=True)
class AiSettings:
    """The AI provider as configured. `key` is None when none was found: the app still starts, and
    every AI feature says what to set (a missing key is a clear message, not a failed start)."""

    provider: str
    model: str
    base_url: str | None
    daily_tokens: int
    timeout: float
    key: str | None = field(default=None, repr=False)

    @property
    def key_hint(self) -> str:
        names = " or ".join(KEY_VARIABLES[self.provider])
        return f"set {names} in the environment, or AI_API_KEY in instance/config.py"


def ai_settings(config: Mapping, environ: Mapping[str, str]) -> AiSettings | None:
    """The AI settings, or None when no provider is named (AI off: nothing about it appears)."""
    provider = (config.get("AI_PROVIDER") or "").strip().lower()
    if not provider:
        return None
    if provider not in PROVIDERS:
        raise ValueError(f"AI_PROVIDER: one of {', '.join(PROVIDERS)} (or unset for no AI), not {provider!r}")
    model = (config.get("AI_MODEL") or "").strip()
    if not model:
        raise ValueError(f"AI_MODEL: the model to use with AI_PROVIDER={provider} (for example its model id)")
    key = config.get("AI_API_KEY") or next((environ[n] for n in KEY_VARIABLES[provider] if environ.get(n)), None)
    try:
        daily, timeout = int(config.get("AI_DAILY_TOKENS") or 0), float(config.get("AI_TIMEOUT") or 0)
    except (TypeError, ValueError):
        raise ValueError("AI_DAILY_TOKENS and AI_TIMEOUT: numbers") from None
    if daily < 1 or timeout <= 0:
        raise ValueError("AI_DAILY_TOKENS and AI_TIMEOUT: above zero")
    return AiSettings(provider, model, (config.get("AI_BASE_URL") or "").strip() or None, daily, timeout, key)


def create_private_sqlite(url: str) -> None:
    """Create a SQLite database file readable by its owner only, like the secret key: sqlite3 would
    create it 0644 (world-readable), and it gives the -wal and -shm files the database file's mode."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if (
        not parsed.drivername.startswith("sqlite")
        or parsed.database in (None, "", ":memory:")
        or parsed.database.startswith("file:")
    ):
        return
    try:
        os.close(os.open(parsed.database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def instance_secret_key(instance: Path) -> str:
    """Read the instance's secret key, creating it (readable by the owner only) on first run."""
    path = instance / "secret_key"
    if not path.exists():
        # Write a temp file, then link it into place: atomic, and a second process racing us
        # keeps the first key instead of reading a half-written one.
        tmp = instance / f".secret_key.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
