"""The provider layer through the real SDKs against the fake provider: streamed text and structured
answers from both APIs, what each request carries, and every failure as a clear message."""

from contextlib import closing

import pytest

from mockloop.config import AiSettings
from mockloop.core.errors import Unavailable
from mockloop.services.ai.provider import Malformed, Tool, Usage, provider_for
from tests.conftest import AI_KEY
from tests.fake_provider import Reply

PROVIDERS = ("anthropic", "openai")
TOOL = Tool(
    "record_answer",
    "Record the answer.",
    {"type": "object", "properties": {"level": {"type": "integer"}}, "required": ["level"]},
)
SYSTEM, ASKED = "You are a careful interviewer.", [{"role": "user", "content": "What is the read/write ratio?"}]


@pytest.fixture(params=PROVIDERS)
def provider_name(request):
    return request.param


def settings_for(fake, provider, **changes) -> AiSettings:
    base = fake.url + ("/v1" if provider == "openai" else "")
    values = {"provider": provider, "model": "test-model", "base_url": base, "daily_tokens": 10_000, "timeout": 1.0}
    return AiSettings(**{**values, "key": AI_KEY, **changes})


def streamed(provider):
    with closing(provider):
        pieces = list(provider.stream(SYSTEM, ASKED, 300))
    return [p for p in pieces if isinstance(p, str)], pieces[-1]


def test_a_streamed_reply_arrives_in_pieces_with_its_usage(fake_provider, provider_name):
    fake_provider.script(Reply(text=("Reads ", "outnumber ", "writes 100:1."), input_tokens=31, output_tokens=9))
    chunks, usage = streamed(provider_for(settings_for(fake_provider, provider_name)))
    assert chunks == ["Reads ", "outnumber ", "writes 100:1."]
    assert usage == Usage(31, 9)
    (request,) = fake_provider.requests
    assert request.body["model"] == "test-model" and request.body["stream"] is True
    if provider_name == "anthropic":
        assert request.path == "/v1/messages"
        # The SDK sends the key as x-api-key or, in its newer releases, as a bearer token.
        assert AI_KEY in (request.headers.get("x-api-key"), request.headers.get("authorization", "")[len("Bearer ") :])
        assert request.body["system"] == SYSTEM and request.body["messages"] == ASKED
        assert request.body["max_tokens"] == 300
    else:
        assert request.path == "/v1/chat/completions" and request.headers["authorization"] == f"Bearer {AI_KEY}"
        assert request.body["messages"] == [{"role": "system", "content": SYSTEM}, *ASKED]


def test_a_structured_answer_is_a_forced_tool_call(fake_provider, provider_name):
    fake_provider.script(Reply(tool_input={"level": 3}, input_tokens=120, output_tokens=30))
    with closing(provider_for(settings_for(fake_provider, provider_name))) as provider:
        answer, usage = provider.structured(SYSTEM, ASKED, TOOL, 500)
    assert answer == {"level": 3} and usage == Usage(120, 30)
    body = fake_provider.requests[0].body
    if provider_name == "anthropic":
        assert body["tools"] == [{"name": TOOL.name, "description": TOOL.description, "input_schema": TOOL.schema}]
        assert body["tool_choice"] == {"type": "tool", "name": TOOL.name}
    else:
        assert body["tools"][0]["function"]["parameters"] == TOOL.schema
        assert body["tool_choice"] == {"type": "function", "function": {"name": TOOL.name}}


def test_a_tool_call_whose_arguments_are_not_json_is_malformed(fake_provider):
    fake_provider.script(Reply(tool_input="{level: three"))
    with pytest.raises(Malformed, match="not JSON"), closing(provider_for(settings_for(fake_provider, "openai"))) as p:
        p.structured(SYSTEM, ASKED, TOOL, 500)


def failure_of(fake, provider_name, reply, **changes) -> Unavailable:
    fake.script(reply)
    provider = provider_for(settings_for(fake, provider_name, **changes))
    with pytest.raises(Unavailable) as caught:
        streamed(provider)
    assert len(fake.requests) == 1  # the SDK's own retries are off: the user hears at once
    return caught.value


def test_a_rate_limit_says_when_to_come_back(fake_provider, provider_name):
    refused = failure_of(fake_provider, provider_name, Reply(status=429, headers={"retry-after": "17"}))
    assert refused.reason == "rate_limited" and refused.retry_after == 17
    assert refused.message == "The AI provider is limiting requests (HTTP 429). Try again in 17 seconds."


def test_a_provider_error_and_a_timeout_each_say_what_happened(fake_provider, provider_name):
    broken = failure_of(fake_provider, provider_name, Reply(status=503))
    assert broken.reason == "provider_error" and "(HTTP 503)" in broken.message
    fake_provider.requests.clear()
    slow = failure_of(fake_provider, provider_name, Reply(delay=5), timeout=0.3)
    assert slow.reason == "timeout"
    assert slow.message == "The AI provider did not answer within 0.3 seconds. Nothing else changed; try again."


def test_a_refused_key_is_named_without_quoting_it(fake_provider, provider_name):
    refused = failure_of(fake_provider, provider_name, Reply(status=401))
    assert refused.reason == "key_refused" and AI_KEY not in refused.message
    assert "AI_API_KEY" in refused.message


def test_an_unreachable_provider_names_its_address(fake_provider, provider_name):
    dead = settings_for(fake_provider, provider_name, base_url="http://127.0.0.1:9")
    with pytest.raises(Unavailable) as caught:
        streamed(provider_for(dead))
    assert caught.value.reason == "unreachable" and "at http://127.0.0.1:9" in caught.value.message


def test_a_missing_key_is_a_clear_message_except_for_a_local_server(fake_provider):
    with pytest.raises(Unavailable) as caught:
        provider_for(settings_for(fake_provider, "anthropic", key=None))
    assert caught.value.reason == "no_key"
    assert "set ANTHROPIC_API_KEY or AI_API_KEY in the environment" in caught.value.message
    with pytest.raises(Unavailable):
        provider_for(settings_for(fake_provider, "openai", key=None, base_url=None))
    # An OpenAI-compatible server of one's own (llama.cpp, Ollama) usually needs none.
    local = provider_for(settings_for(fake_provider, "openai", key=None))  # streamed() closes it
    assert streamed(local)[0] == ["Fine."]
    assert fake_provider.requests[0].headers["authorization"] == "Bearer no-key"
