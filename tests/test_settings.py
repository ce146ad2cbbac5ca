"""Settings: secrets come from the environment, production refuses weak ones."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from taskflow_core.settings import Rate, Settings, parse_rate


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("100/minute", Rate(100, 60)),
        ("10/second", Rate(10, 1)),
        ("5/30s", Rate(5, 30)),
        ("1000/hour", Rate(1000, 3600)),
        ("0", None),
    ],
)
def test_rates_parse(text: str, rate: Rate | None) -> None:
    assert parse_rate(text) == rate


def test_a_malformed_rate_is_refused() -> None:
    with pytest.raises(ValidationError, match="invalid rate"):
        settings(rate_limit="lots")


@pytest.mark.parametrize("secret", [None, "short"])
def test_production_needs_a_32_byte_secret(secret: str | None) -> None:
    with pytest.raises(ValidationError, match="TASKFLOW_JWT_SECRET"):
        settings(env="production", jwt_secret=secret)
    assert settings(env="production", jwt_secret="x" * 32).signing_key == "x" * 32


def test_development_keeps_one_generated_secret_in_a_private_file(tmp_path: Path) -> None:
    first = settings(data_dir=tmp_path).signing_key
    second = settings(data_dir=tmp_path).signing_key
    assert first == second
    assert len(first) >= 43
    mode = stat.S_IMODE((tmp_path / "jwt_secret").stat().st_mode)
    assert mode == 0o600


def test_trusted_proxies_parse_from_a_comma_list() -> None:
    parsed = settings(trusted_proxies="10.0.0.0/8, 127.0.0.1")
    assert [str(net) for net in parsed.trusted_proxies] == ["10.0.0.0/8", "127.0.0.1/32"]


def test_the_default_database_lives_in_the_data_dir(tmp_path: Path) -> None:
    assert settings(data_dir=tmp_path).resolved_database_url == f"sqlite:///{tmp_path}/taskflow.db"
