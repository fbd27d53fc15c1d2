"""W&B follows the user's own setup: mode resolution from the config, WANDB_MODE, the key in the
environment, `wandb login`'s .netrc entry or the settings file; metric names; where a run is."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

import pytest

from electra_rtd.metrics.pretraining import metrics_block
from electra_rtd.training.tracking import (
    log_run_location,
    tracker_metrics,
    wandb_credentials,
    wandb_init_kwargs,
    wandb_mode,
)

KEY = "k" * 40


@pytest.fixture
def no_wandb_setup(tmp_path: Path, monkeypatch) -> Path:
    """No key anywhere W&B looks: env cleared, an empty home for .netrc and the settings."""
    for name in ("WANDB_MODE", "WANDB_API_KEY", "WANDB_IDENTITY_TOKEN_FILE", "WANDB_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / ".netrc"))
    monkeypatch.setenv("WANDB_CONFIG_DIR", str(tmp_path / "wandb"))
    return tmp_path


def test_no_credentials_at_all_logs_offline_with_a_note(no_wandb_setup: Path, caplog) -> None:
    with caplog.at_level(logging.INFO):
        assert wandb_mode(None) == "offline"
    assert "wandb sync" in caplog.text and "WANDB_MODE=disabled" in caplog.text


def test_the_config_mode_wins(no_wandb_setup: Path, monkeypatch) -> None:
    monkeypatch.setenv("WANDB_API_KEY", KEY)
    assert wandb_mode("offline") == "offline"
    assert wandb_init_kwargs({"mode": "online", "name": "r"}, Path("d"))["mode"] == "online"


@pytest.mark.parametrize("env_mode", ["disabled", "offline", "online"])
def test_wandb_mode_in_the_environment_is_left_to_wandb(
    no_wandb_setup: Path, monkeypatch, env_mode: str
) -> None:
    monkeypatch.setenv("WANDB_MODE", env_mode)
    assert wandb_mode(None) is None
    assert "mode" not in wandb_init_kwargs({"mode": None, "group": "g"}, Path("d"))


def test_an_api_key_in_the_environment_lets_wandb_decide(no_wandb_setup: Path, monkeypatch) -> None:
    monkeypatch.setenv("WANDB_API_KEY", KEY)
    assert wandb_credentials() == "environment"
    assert wandb_mode(None) is None


def test_wandb_login_in_netrc_lets_wandb_decide(no_wandb_setup: Path) -> None:
    netrc = no_wandb_setup / ".netrc"
    netrc.write_text(f"machine api.wandb.ai\n  login user\n  password {KEY}\n")
    netrc.chmod(0o600)
    assert wandb_credentials() == str(netrc)
    assert wandb_mode(None) is None


def test_netrc_for_another_host_is_no_credential(no_wandb_setup: Path, monkeypatch) -> None:
    netrc = no_wandb_setup / ".netrc"
    netrc.write_text(f"machine api.wandb.ai\n  login user\n  password {KEY}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("WANDB_BASE_URL", "https://wandb.example.org")
    assert wandb_credentials() is None
    assert wandb_mode(None) == "offline"


def test_a_key_in_the_settings_file_lets_wandb_decide(no_wandb_setup: Path) -> None:
    settings = no_wandb_setup / "wandb" / "settings"
    settings.parent.mkdir()
    settings.write_text(f"[default]\napi_key = {KEY}\n")
    assert wandb_credentials() == str(settings)
    assert wandb_mode(None) is None


def test_final_metrics_go_under_train_eval_and_test() -> None:
    named = tracker_metrics(
        {"eval_loss": 2.0, "test_span_f1": 0.5, "best_dev_span_f1": 0.6, "steps": 20}
    )
    assert named == {
        "eval/loss": 2.0,
        "test/span_f1": 0.5,
        "eval/best_span_f1": 0.6,
        "train/steps": 20,
    }


def test_the_run_url_or_the_sync_command_is_logged(caplog) -> None:
    online = SimpleNamespace(settings=SimpleNamespace(mode="online"), url="https://w/r/1")
    offline = SimpleNamespace(
        settings=SimpleNamespace(mode="offline"), url=None, dir="/runs/wandb/offline-run-1/files"
    )
    with caplog.at_level(logging.INFO):
        log_run_location(online)
        log_run_location(offline)
        log_run_location(SimpleNamespace(disabled=True))
    assert "W&B run: https://w/r/1" in caplog.text
    assert "wandb sync /runs/wandb/offline-run-1" in caplog.text
    assert len(caplog.records) == 2


def test_final_metrics_print_as_an_aligned_block() -> None:
    block = metrics_block({"eval_loss": 2.345678901234, "eval_scored_tokens": 12345, "x": 0.5})
    assert block.splitlines() == [
        "  eval_loss          =  2.346",
        "  eval_scored_tokens = 12,345",
        "  x                  =    0.5",
    ]
