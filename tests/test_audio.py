"""A round's optional audio (services/audio.py, web/audio.py): chunks appended in order under the
instance folder, a retry kept once, a gap refused, the cap said clearly, each participant's own until
the lock, played back with ranges, and deleted with the round."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mockloop.core import audio as core
from mockloop.db import db
from mockloop.db.models import Round, RoundAudio
from tests.helpers import csrf_token, signed_up


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


def start(api, rid):
    res = api.call("POST", f"/api/rounds/{rid}/recordings", {"mime": "audio/webm;codecs=opus"})
    assert res.status_code == 201, res.get_json()
    return res.get_json()


def send(api, url, seq, data):
    return api.client.post(f"{url}?seq={seq}", data=data, headers={"X-CSRFToken": api.token()})


def played(api, url, **headers):
    """(status, body) of a recording's URL; the file the answer streams is closed."""
    with api.client.get(url, headers=headers) as res:
        return res.status_code, res.data


def file_of(app, rid, recording_id) -> Path:
    return Path(app.instance_path) / "audio" / str(rid) / str(recording_id)


def test_chunks_are_appended_in_order_and_a_retry_is_kept_once(app, frozen_clock):
    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    rec = start(ada, rid)
    assert send(ada, rec["chunk_url"], 0, b"first ").get_json() == {"chunks": 1, "size": 6}
    assert send(ada, rec["chunk_url"], 0, b"first ").status_code == 200  # a retry: kept once
    gap = send(ada, rec["chunk_url"], 2, b"third")
    assert gap.status_code == 409 and gap.get_json()["reason"] == "gap" and gap.get_json()["expected"] == 1
    send(ada, rec["chunk_url"], 1, b"second")
    assert file_of(app, rid, rec["id"]).read_bytes() == b"first second"
    assert send(ada, rec["chunk_url"], 2, b"").status_code == 400
    assert send(ada, rec["chunk_url"] + "x", 2, b"a").status_code == 404
    bad = ada.call("POST", f"/api/rounds/{rid}/recordings", {"mime": "video/x-flv"})
    assert bad.status_code == 400 and "audio/webm" in bad.get_json()["message"]


def test_the_cap_stops_the_recording_with_a_message_and_keeps_what_was_recorded(app, frozen_clock, monkeypatch):
    monkeypatch.setattr(core, "RECORDING_CAP", 10)
    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    rec = start(ada, rid)
    send(ada, rec["chunk_url"], 0, b"12345678")
    full = send(ada, rec["chunk_url"], 1, b"9abc")
    assert full.status_code == 409 and full.get_json()["reason"] == "full"
    assert "reached its limit" in full.get_json()["message"] and "is kept" in full.get_json()["message"]
    assert file_of(app, rid, rec["id"]).read_bytes() == b"12345678"


def test_chunks_after_the_lock_are_kept_for_a_moment_then_refused(app, frozen_clock):
    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    rec = start(ada, rid)
    ada.call("POST", f"/api/rounds/{rid}/end")
    assert ada.call("POST", f"/api/rounds/{rid}/recordings", {"mime": "audio/webm"}).status_code == 409
    frozen_clock.advance(seconds=5)
    assert send(ada, rec["chunk_url"], 0, b"in flight").status_code == 200  # the last chunk, on its way
    frozen_clock.advance(seconds=60)
    late = send(ada, rec["chunk_url"], 1, b"late")
    assert late.status_code == 409 and late.get_json()["reason"] == "locked"


def test_each_hears_their_own_until_the_lock_then_both_with_ranges(app, frozen_clock):
    ada, bob = signed_up(app), signed_up(app, "bob@example.com", "Bob")
    made = ada.start(stage="quick", prompt="quick-prompt-1", role="candidate", minutes=2).get_json()
    link = made["invite_url"].replace("http://localhost", "")
    bob.client.post(link, data={"csrf_token": csrf_token(bob.client, link)})
    rid = made["id"]
    bob.call("POST", f"/api/rounds/{rid}/start")
    frozen_clock.advance(seconds=30)
    rec = start(ada, rid)
    send(ada, rec["chunk_url"], 0, b"0123456789")
    url = f"/rounds/{rid}/recordings/{rec['id']}"
    assert played(ada, url) == (200, b"0123456789")
    assert bob.client.get(url).status_code == 403
    assert send(bob, rec["chunk_url"], 1, b"not his").status_code == 403
    bob.call("POST", f"/api/rounds/{rid}/end")
    assert played(bob, url, Range="bytes=2-5") == (206, b"2345")
    page = bob.client.get(f"/rounds/{rid}/replay").get_data(as_text=True)
    assert f'src="{url}"' in page and 'data-offset-ms="30000"' in page and "The other participant&#39;s audio" in page


def test_the_recordings_go_with_the_round(app, frozen_clock):
    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    rec = start(ada, rid)
    send(ada, rec["chunk_url"], 0, b"bye")
    assert file_of(app, rid, rec["id"]).exists()
    with app.app_context():
        db.session.delete(db.session.get(Round, rid))
        db.session.flush()
        db.session.rollback()  # a delete that does not happen keeps them
        assert file_of(app, rid, rec["id"]).exists()
        db.session.delete(db.session.get(Round, rid))
        db.session.commit()
    assert not file_of(app, rid, rec["id"]).parent.exists()


def test_the_round_page_offers_recording_until_the_lock(app, frozen_clock):
    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    page = ada.client.get(f"/rounds/{rid}").get_data(as_text=True)
    assert "Record audio" in page and "recorder.js" in page
    ada.call("POST", f"/api/rounds/{rid}/end")
    assert "Record audio" not in ada.client.get(f"/rounds/{rid}").get_data(as_text=True)


def test_the_export_carries_your_audio_with_the_flag_and_an_import_restores_it(app, frozen_clock):
    import io
    import json

    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    frozen_clock.advance(seconds=3)
    rec = start(ada, rid)
    send(ada, rec["chunk_url"], 0, b"\x1aE\xdf\xa3 sound")
    ada.call("POST", f"/api/rounds/{rid}/end")
    assert "audio" not in ada.client.get("/export.json").get_json()["rounds"][0]  # without the flag: none
    doc = ada.client.get("/export.json?audio=1").get_json()
    [sound] = doc["rounds"][0]["audio"]
    assert sound["mime"] == "audio/webm" and sound["started_at"] == "2026-05-04T12:00:03+00:00"

    carol = signed_up(app, "carol@example.com", "Carol")
    res = carol.client.post(
        "/import",
        data={"csrf_token": carol.token(), "file": (io.BytesIO(json.dumps(doc).encode()), "export.json")},
        content_type="multipart/form-data",
    )
    assert res.status_code == 302
    with app.app_context():
        copy = db.session.execute(db.select(db.func.max(Round.id))).scalar()
    page = carol.client.get(f"/rounds/{copy}/replay").get_data(as_text=True)
    [url] = re.findall(r'src="(/rounds/\d+/recordings/\d+)"', page)
    assert played(carol, url) == (200, b"\x1aE\xdf\xa3 sound") and 'data-offset-ms="3000"' in page

    doc["rounds"][0]["uid"] = "0" * 8 + "-another"
    doc["rounds"][0]["audio"][0]["data"] = "not base64!"
    bad = carol.client.post(
        "/import",
        data={"csrf_token": carol.token(), "file": (io.BytesIO(json.dumps(doc).encode()), "export.json")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "rounds[0].audio[0].data" in bad.get_data(as_text=True)


def test_a_chunk_whose_commit_was_lost_in_a_crash_is_kept_once_when_retried(app, frozen_clock):
    from mockloop.services import audio as service

    ada = signed_up(app)
    rid = ada.start(stage="quick", prompt="quick-prompt-1", minutes=2).get_json()["id"]
    rec = start(ada, rid)
    send(ada, rec["chunk_url"], 0, b"first ")
    folder = Path(app.instance_path) / "audio"
    with app.app_context():
        # The server dies between writing chunk 1 to the file and committing its count: the file has
        # it, the database does not, and the browser, never answered, sends it again.
        rnd = db.session.get(Round, rid)
        service.append(rnd, db.session.get(RoundAudio, rec["id"]), 1, b"second ", folder, frozen_clock())
        db.session.rollback()
        db.session.remove()
    assert file_of(app, rid, rec["id"]).read_bytes() == b"first second "
    assert send(ada, rec["chunk_url"], 1, b"second ").get_json() == {"chunks": 2, "size": 13}
    assert file_of(app, rid, rec["id"]).read_bytes() == b"first second "
