"""The rule for tests that need a browser: skip on a developer machine, fail in CI."""

import pytest

from tests.servers.live import unavailable


def test_a_missing_tool_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match=r"chromium is missing \(.ci/run installs it\)"):
        unavailable("chromium is missing")


def test_a_missing_tool_skips_with_its_reason_elsewhere(monkeypatch):
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="chromium is missing"):
        unavailable("chromium is missing")
