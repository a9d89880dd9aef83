"""The AI interviewer of a solo round: the conversation is round work (core/work.py) written by the
server, saved as it happens by the one rule every piece obeys (a revision per save, refused once
the round is locked), so a question is kept even when the reply fails."""

from __future__ import annotations

from datetime import datetime

from mockloop.core import ai_interviewer as chat
from mockloop.core.catalog import Prompt
from mockloop.core.errors import NotFound
from mockloop.core.loop import Stage
from mockloop.core.vocabulary import Mode, Seat, WorkKind
from mockloop.db.models import Round, User
from mockloop.services import rounds, work
from mockloop.services.seats import role_of

FEATURE = "interviewer"
MAX_TOKENS = 400  # three sentences, with room


def check_open_to(rnd: Round, user: User) -> None:
    """Only the candidate of a solo round talks to the AI interviewer (a peer round has a person)."""
    if rnd.mode != Mode.SOLO or role_of(rnd, user) != Seat.CANDIDATE:
        raise NotFound("The AI interviewer is for the candidate of a solo round.")


def messages_of(rnd: Round) -> list[chat.Message]:
    stored = work.piece(rnd, WorkKind.CHAT)
    return chat.parse(stored.body if stored else "")


def append(rnd: Round, new: list[chat.Message], now: datetime) -> tuple[list[chat.Message], int]:
    """Add messages to the stored conversation; (the conversation, its new revision). Conflict once
    the round is locked (the conversation stays as it was)."""
    stored = work.piece(rnd, WorkKind.CHAT)
    messages = [*chat.parse(stored.body if stored else ""), *new]
    revision = work.save(rnd, WorkKind.CHAT, chat.dump(messages), stored.revision if stored else 0, now)
    return messages, revision


def hints_of(prompt: Prompt | None) -> list[str]:
    return chat.items(prompt.section_md("Hints")) if prompt else []


def request(rnd: Round, prompt: Prompt, stage: Stage | None, messages: list[chat.Message], now: datetime):
    """(system prompt, conversation) for the provider: the guide parts the interviewer may use."""
    state = rounds.state_of(rnd, now)
    system = chat.system_prompt(
        stage.title if stage else rnd.stage,
        [(name, float(minutes)) for name, minutes in rnd.plan],
        state.phase_index,
        prompt.title,
        prompt.brief_md,
        prompt.section_md("Clarifying answers"),
        prompt.section_md("Follow-ups"),
    )
    return system, chat.conversation(messages)
