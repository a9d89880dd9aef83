"""One interface over both SDKs: a streamed text reply, or a structured answer (a forced tool call).

Each SDK's failures become one Unavailable with a message a user can act on; the SDKs' own retries
are off, so a rate limit says at once when to come back instead of holding the request.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType
from typing import Any, Protocol

from mockloop.config import AiSettings
from mockloop.core.errors import Unavailable

Message = dict[str, str]  # {"role": "user" | "assistant", "content": text}


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int

    @property
    def total(self) -> int:
        return self.input_tokens + self.output_tokens

    @classmethod
    def estimate(cls, sent: str, received: str) -> Usage:
        """For a server that reports no usage: about four characters a token."""
        return cls(len(sent) // 4 + 1, len(received) // 4 + 1)


@dataclass(frozen=True)
class Tool:
    """What a structured answer must fill in: a name, what it is for, and its JSON schema."""

    name: str
    description: str
    schema: dict[str, Any]


class Malformed(ValueError):
    """The model answered, but not with the structure asked for (the caller may ask once more)."""


class Provider(Protocol):
    def stream(self, system: str, messages: list[Message], max_tokens: int) -> Iterator[str | Usage]:
        """The reply's text as it arrives, then its Usage last."""
        ...

    def structured(self, system: str, messages: list[Message], tool: Tool, max_tokens: int) -> tuple[Any, Usage]:
        """The tool's input as the model filled it in (not yet checked against the schema)."""
        ...

    def close(self) -> None:
        """Close the SDK client's connections (use the provider in `contextlib.closing`)."""
        ...


def retry_after(value: str | None) -> int | None:
    """Retry-After in seconds (the form rate limits send); an HTTP date or junk gives None."""
    if value and value.strip().isdigit():
        return int(value.strip())
    return None


def failure(exc: Exception, sdk: ModuleType, settings: AiSettings) -> Unavailable:
    """An SDK exception as the message the panel shows. The provider's own error text is left out: an
    authentication error may quote part of the key."""
    if isinstance(exc, sdk.APITimeoutError):
        return Unavailable(
            f"The AI provider did not answer within {settings.timeout:g} seconds. Nothing else changed; try again.",
            reason="timeout",
        )
    if isinstance(exc, sdk.APIConnectionError):
        where = f" at {settings.base_url}" if settings.base_url else ""
        return Unavailable(
            f"Cannot reach the AI provider{where}. Nothing else changed; try again.", reason="unreachable"
        )
    if isinstance(exc, sdk.APIStatusError):
        status = exc.status_code
        if status == 429:
            wait = retry_after(exc.response.headers.get("retry-after"))
            when = f"in {wait} seconds" if wait is not None else "in a little while"
            return Unavailable(
                f"The AI provider is limiting requests (HTTP 429). Try again {when}.",
                reason="rate_limited",
                retry_after=wait,
            )
        if status in (401, 403):
            return Unavailable(
                f"The AI provider refused the API key (HTTP {status}). Check it: {settings.key_hint}.",
                reason="key_refused",
            )
        if status >= 500:
            return Unavailable(
                f"The AI provider had an error of its own (HTTP {status}). Try again in a while.",
                reason="provider_error",
            )
        return Unavailable(
            f"The AI provider refused the request (HTTP {status}). Check AI_MODEL ({settings.model}).",
            reason="refused",
        )
    raise exc


def missing_key(settings: AiSettings) -> Unavailable:
    return Unavailable(
        f"AI is configured (AI_PROVIDER={settings.provider}) but has no API key: {settings.key_hint}.",
        reason="no_key",
    )


def parse_arguments(text: str | None) -> Any:
    """A tool call's arguments, sent as JSON text."""
    try:
        return json.loads(text or "")
    except json.JSONDecodeError as exc:
        raise Malformed(f"the answer was not JSON ({exc.msg})") from None


def load_sdk(settings: AiSettings) -> None:
    """Import the configured provider's SDK (seconds on a busy machine) when the app starts, so that
    a user's first question does not wait for it."""
    import_module("anthropic" if settings.provider == "anthropic" else "openai")


def provider_for(settings: AiSettings) -> Provider:
    """The configured provider; its SDK is imported only now (AI off imports neither)."""
    if settings.provider == "anthropic":
        from mockloop.services.ai.anthropic_api import AnthropicProvider

        return AnthropicProvider(settings)
    from mockloop.services.ai.openai_api import OpenAIProvider

    return OpenAIProvider(settings)
