"""AI on the user's own model (issue 20): one interface over the Anthropic and OpenAI SDKs
(provider.py), the daily token budget, the reviewer and the interviewer. Nothing here runs, and no
SDK is imported, unless AI_PROVIDER is set."""
