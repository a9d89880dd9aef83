"""Browsing stages and prompt banks as a logged-in user, and the prompt lint command."""

from pathlib import Path

import pytest

from mockloop.cli import main


@pytest.fixture
def app(small_loop_app):
    return small_loop_app


def test_stage_page_shows_phases_rubric_and_prompts(client, auth):
    auth.signup()
    page = client.get("/stages/quick").get_data(as_text=True)
    assert "Think" in page and "Answer" in page
    assert "Clarity" in page and "crisp and structured" in page
    assert "Quick prompt 1" in page and "Quick prompt 2" in page
    assert "Showing 2 of 2 prompts" in page


def test_stage_page_filters(client, auth):
    auth.signup()
    page = client.get("/stages/quick?tag=tag-2").get_data(as_text=True)
    assert "Quick prompt 2" in page and "Quick prompt 1" not in page
    page = client.get("/stages/quick?difficulty=1").get_data(as_text=True)
    assert "Quick prompt 1" in page and "Quick prompt 2" not in page
    page = client.get("/stages/quick?q=nothing-matches").get_data(as_text=True)
    assert "No prompt matches these filters" in page


def test_prompt_page_renders_the_brief_without_the_guide(client, auth):
    auth.signup()
    page = client.get("/stages/quick/prompts/quick-prompt-1").get_data(as_text=True)
    assert "<strong>thing 1</strong>" in page and "SECRET-GUIDE-TEXT" not in page
    guide = client.get("/stages/quick/prompts/quick-prompt-1/guide").get_data(as_text=True)
    assert "SECRET-GUIDE-TEXT" in guide


def test_unknown_stage_and_prompt_are_404(client, auth):
    auth.signup()
    assert client.get("/stages/nope").status_code == 404
    assert client.get("/stages/quick/prompts/talk-prompt-1").status_code == 404


def test_pages_need_login(client):
    assert client.get("/stages/quick").status_code == 302
    assert client.get("/").status_code == 200


def test_prompts_check_counts_and_fails_on_problems(app, tmp_path):
    runner = app.test_cli_runner()
    env = {"MOCKLOOP_INSTANCE_PATH": app.instance_path, "MOCKLOOP_PROMPTS_DIR": app.config["PROMPTS_DIR"]}
    ok = runner.invoke(main, ["prompts", "check"], env=env)
    assert ok.exit_code == 0, ok.output
    shipped = len(list(Path(app.config["PROMPTS_DIR"]).glob("*/*.md")))  # the test bank, whatever it holds
    assert "quick" in ok.output and f"{shipped} prompts, 0 problems" in ok.output

    new = runner.invoke(main, ["prompts", "new", "talk", "my-drill"], env=env)
    assert new.exit_code == 0, new.output
    user_file = tmp_path / "instance" / "prompts" / "talk" / "my-drill.md"
    assert user_file.exists()
    assert f"{shipped + 1} prompts, 0 problems" in runner.invoke(main, ["prompts", "check"], env=env).output

    user_file.write_text(user_file.read_text().replace("difficulty: 2", "difficulty: 9"))
    bad = runner.invoke(main, ["prompts", "check"], env=env)
    assert bad.exit_code == 1 and "my-drill.md:1: difficulty: expected 1, 2 or 3" in bad.output


def test_prompts_new_refuses_bad_input(app):
    runner = app.test_cli_runner()
    env = {"MOCKLOOP_INSTANCE_PATH": app.instance_path, "MOCKLOOP_PROMPTS_DIR": app.config["PROMPTS_DIR"]}
    assert "expected one of quick, talk" in runner.invoke(main, ["prompts", "new", "nope", "x"], env=env).output
    assert "lowercase" in runner.invoke(main, ["prompts", "new", "talk", "Bad Slug"], env=env).output


def test_prompts_new_refuses_a_slug_ending_in_a_newline(app, tmp_path):
    runner = app.test_cli_runner()
    env = {"MOCKLOOP_INSTANCE_PATH": app.instance_path, "MOCKLOOP_PROMPTS_DIR": app.config["PROMPTS_DIR"]}
    res = runner.invoke(main, ["prompts", "new", "talk", "drill\n"], env=env)
    assert res.exit_code != 0 and "lowercase" in res.output
    assert not list((tmp_path / "instance" / "prompts").glob("**/*.md"))
