"""The classroom harness itself works: two protocol students go through the whole lesson on a
real server (the figures it prints are for people; here only that every step was served)."""

from __future__ import annotations

from bench import load


def test_two_protocol_students_are_served_the_whole_lesson(capsys):
    out = load.main(["--sessions", "2", "--spread", "0.5", "--after", "0", "--timeout", "120"])
    assert out["errors"] == [] and out["served"] == 2
    assert len(out["first_charts"]) == 2 and all(t > 0 for t in out["first_charts"])
    assert out["rss_mb"]["peak"] >= out["rss_mb"]["fresh"] > 0
    assert "sessions served: 2 of 2" in capsys.readouterr().out


def test_a_student_that_meets_an_error_is_counted_as_not_served(monkeypatch, capsys):
    # a lesson whose first link is the home page (no chart) fails at its first step
    monkeypatch.setitem(load.LINKS, False, ("", "lens"))
    out = load.main(["--sessions", "1", "--spread", "0", "--after", "0", "--timeout", "120"])
    assert out["served"] == 0 and "sent no chart" in out["errors"][0]
