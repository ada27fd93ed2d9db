"""Configuration from the environment (the README's table)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import app as app_module
from app import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.setattr(app_module, "INSTANCE", tmp_path / "instance")
    return tmp_path / "instance"


def test_the_database_defaults_to_sqlite_under_instance(instance):
    uri = load_config({})["SQLALCHEMY_DATABASE_URI"]
    assert uri == f"sqlite:///{instance / 'clientdesk.db'}"


def test_database_url_and_redis_url_come_from_the_environment(instance):
    config = load_config({"DATABASE_URL": "postgresql+psycopg://db/x", "REDIS_URL": "redis://r"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db/x"
    assert config["REDIS_URL"] == "redis://r"


def test_without_redis_url_jobs_run_inline(instance):
    assert load_config({})["REDIS_URL"] is None


def test_without_mail_server_mail_goes_to_the_outbox(instance):
    assert load_config({})["MAIL_SERVER"] is None


def test_a_development_secret_key_is_generated_once_and_kept(instance):
    first = load_config({})["SECRET_KEY"]
    assert len(first) >= 32 and (instance / "secret_key").exists()
    assert load_config({})["SECRET_KEY"] == first


def test_production_without_secret_key_refuses_to_start(instance):
    with pytest.raises(ConfigError) as caught:
        load_config({"CLIENTDESK_ENV": "production"})
    assert "SECRET_KEY" in str(caught.value)


def test_production_without_secret_key_exits_with_a_one_line_reason():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["CLIENTDESK_ENV"] = "production"
    result = subprocess.run(
        [sys.executable, "-c", "from app import create_app; create_app()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0 and "SECRET_KEY" in result.stderr


def test_production_sets_secure_cookies(instance):
    config = load_config({"CLIENTDESK_ENV": "production", "SECRET_KEY": "x" * 40})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True


def test_uploads_default_to_instance_and_documents_to_ten_megabytes(instance):
    config = load_config({})
    assert config["UPLOAD_FOLDER"] == str(instance / "uploads")
    assert config["DOCUMENT_MAX_BYTES"] == 10 * 1024 * 1024


def test_upload_folder_and_document_limit_come_from_the_environment(instance, tmp_path):
    config = load_config({"UPLOAD_FOLDER": str(tmp_path / "files"), "DOCUMENT_MAX_BYTES": "2048"})
    assert config["UPLOAD_FOLDER"] == str(tmp_path / "files")
    assert config["DOCUMENT_MAX_BYTES"] == 2048


def test_the_letterhead_details_come_from_the_environment_and_are_optional(instance):
    assert [load_config({})[f"AGENCY_{k}"] for k in ("ADDRESS", "EMAIL", "PHONE", "WEBSITE")] == [
        None
    ] * 4
    config = load_config(
        {
            "AGENCY_NAME": "Harborview Search Partners",
            "AGENCY_ADDRESS": "1 Harbor Road, Cebu City 6000",
            "AGENCY_EMAIL": "hello@harborview.example",
            "AGENCY_PHONE": " +63 32 555 0100 ",
            "AGENCY_WEBSITE": "",
        }
    )
    assert config["AGENCY_NAME"] == "Harborview Search Partners"
    assert config["AGENCY_ADDRESS"] == "1 Harbor Road, Cebu City 6000"
    assert config["AGENCY_EMAIL"] == "hello@harborview.example"
    assert config["AGENCY_PHONE"] == "+63 32 555 0100" and config["AGENCY_WEBSITE"] is None


def test_the_service_desk_clock_defaults_to_nine_to_five_utc_in_calendar_hours(instance):
    config = load_config({})
    assert config["SERVICE_DESK_HOURS"] == (9, 17)
    assert config["SERVICE_DESK_TIMEZONE"] == "UTC"
    assert config["SLA_BUSINESS_HOURS"] is False
    config = load_config(
        {
            "SERVICE_DESK_HOURS": "8-18",
            "SERVICE_DESK_TIMEZONE": "Asia/Manila",
            "SLA_BUSINESS_HOURS": "yes",
        }
    )
    assert config["SERVICE_DESK_HOURS"] == (8, 18)
    assert config["SERVICE_DESK_TIMEZONE"] == "Asia/Manila"
    assert config["SLA_BUSINESS_HOURS"] is True


@pytest.mark.parametrize(
    "name, value",
    [
        ("SERVICE_DESK_HOURS", "17-9"),
        ("SERVICE_DESK_HOURS", "nine to five"),
        ("SERVICE_DESK_HOURS", "9-25"),
        ("SERVICE_DESK_TIMEZONE", "Mars/Olympus"),
    ],
)
def test_a_bad_service_desk_clock_is_refused_naming_the_variable(instance, name, value):
    with pytest.raises(ConfigError) as caught:
        load_config({name: value})
    assert name in str(caught.value)


def test_the_support_mailbox_defaults_to_imap_over_tls_on_port_993(instance):
    config = load_config({"IMAP_HOST": "imap.agency.test", "IMAP_SSL": "false", "IMAP_PORT": "143"})
    assert (config["IMAP_HOST"], config["IMAP_PORT"], config["IMAP_SSL"]) == (
        "imap.agency.test",
        143,
        False,
    )
    assert load_config({})["IMAP_PORT"] == 993 and load_config({})["IMAP_SSL"] is True


@pytest.mark.parametrize("name", ["IMAP_PORT", "MAIL_PORT"])
@pytest.mark.parametrize("value", ["imaps", "99999", "0", "-1"])
def test_a_mail_port_that_is_no_port_number_is_refused_naming_the_variable(instance, name, value):
    with pytest.raises(ConfigError) as caught:
        load_config({name: value})
    assert f"{name} must be a port number" in str(caught.value)
