"""The Anthropic Messages API through the official SDK: streamed text, and tool use forced to one
tool for a structured answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mockloop.config import AiSettings
from mockloop.services.ai.provider import Malformed, Message, Tool, Usage, failure, missing_key


class AnthropicProvider:
    def __init__(self, settings: AiSettings):
        import anthropic

        if not settings.key:
            raise missing_key(settings)
        self.sdk, self.settings = anthropic, settings
        # The key passed explicitly, so the SDK reads no profile or credentials file of its own.
        self.client = anthropic.Anthropic(
            api_key=settings.key, base_url=settings.base_url, timeout=settings.timeout, max_retries=0
        )

    def stream(self, system: str, messages: list[Message], max_tokens: int) -> Iterator[str | Usage]:
        try:
            with self.client.messages.stream(
                model=self.settings.model,
                max_tokens=max_tokens,
                system=system,
                messages=messages,  # type: ignore[arg-type]
            ) as reply:
                yield from reply.text_stream
                final = reply.get_final_message()
        except self.sdk.APIError as exc:
            raise failure(exc, self.sdk, self.settings) from None
        yield Usage(final.usage.input_tokens, final.usage.output_tokens)

    def structured(self, system: str, messages: list[Message], tool: Tool, max_tokens: int) -> tuple[Any, Usage]:
        try:
            answer = self.client.messages.create(  # type: ignore[call-overload]  # plain dicts for the typed params
                model=self.settings.model,
                max_tokens=max_tokens,
                system=system,
                messages=messages,
                tools=[{"name": tool.name, "description": tool.description, "input_schema": tool.schema}],
                tool_choice={"type": "tool", "name": tool.name},
            )
        except self.sdk.APIError as exc:
            raise failure(exc, self.sdk, self.settings) from None
        usage = Usage(answer.usage.input_tokens, answer.usage.output_tokens)
        for block in answer.content:
            if block.type == "tool_use" and block.name == tool.name:
                return block.input, usage
        raise Malformed(f"the answer did not use the tool {tool.name}")

    def close(self) -> None:
        self.client.close()
