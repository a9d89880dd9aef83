"""Any OpenAI-compatible chat completions endpoint through the official SDK (OpenAI itself, or a
local llama.cpp, Ollama or vLLM server named by AI_BASE_URL): streamed text, and a forced function
call for a structured answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mockloop.config import AiSettings
from mockloop.services.ai.provider import Malformed, Message, Tool, Usage, failure, missing_key, parse_arguments

# A local server usually wants no key, but the SDK insists on one: this is sent instead.
NO_KEY = "no-key"


class OpenAIProvider:
    def __init__(self, settings: AiSettings):
        import openai

        if not settings.key and not settings.base_url:
            raise missing_key(settings)
        self.sdk, self.settings = openai, settings
        self.client = openai.OpenAI(
            api_key=settings.key or NO_KEY, base_url=settings.base_url, timeout=settings.timeout, max_retries=0
        )

    def _messages(self, system: str, messages: list[Message]) -> list[Any]:
        return [{"role": "system", "content": system}, *messages]

    def stream(self, system: str, messages: list[Message], max_tokens: int) -> Iterator[str | Usage]:
        usage, received = None, []
        try:
            chunks = self.client.chat.completions.create(
                model=self.settings.model,
                messages=self._messages(system, messages),
                max_tokens=max_tokens,
                stream=True,
                stream_options={"include_usage": True},
            )
            for chunk in chunks:
                if chunk.usage is not None:
                    usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
                for choice in chunk.choices:
                    if choice.delta.content:
                        received.append(choice.delta.content)
                        yield choice.delta.content
        except self.sdk.APIError as exc:
            raise failure(exc, self.sdk, self.settings) from None
        sent = system + "".join(m["content"] for m in messages)
        yield usage or Usage.estimate(sent, "".join(received))

    def structured(self, system: str, messages: list[Message], tool: Tool, max_tokens: int) -> tuple[Any, Usage]:
        try:
            answer = self.client.chat.completions.create(
                model=self.settings.model,
                messages=self._messages(system, messages),
                max_tokens=max_tokens,
                tools=[
                    {
                        "type": "function",
                        "function": {"name": tool.name, "description": tool.description, "parameters": tool.schema},
                    }
                ],
                tool_choice={"type": "function", "function": {"name": tool.name}},
            )
        except self.sdk.APIError as exc:
            raise failure(exc, self.sdk, self.settings) from None
        if not answer.choices:
            raise Malformed("the answer had no choices")
        message = answer.choices[0].message
        if answer.usage is not None:
            usage = Usage(answer.usage.prompt_tokens, answer.usage.completion_tokens)
        else:
            usage = Usage.estimate(system + "".join(m["content"] for m in messages), str(message))
        for call in message.tool_calls or ():
            if call.type == "function" and call.function.name == tool.name:
                return parse_arguments(call.function.arguments), usage
        # Some local servers answer a forced call with the JSON as plain content.
        if message.content:
            return parse_arguments(message.content), usage
        raise Malformed(f"the answer did not call the function {tool.name}")

    def close(self) -> None:
        self.client.close()
