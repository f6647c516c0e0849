"""What a run amounts to: its status, redacted texts, the observations it gives way on."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import SecretStr

from feeds.base import ErrorKind
from feeds.outcome import BINARY_PREFIX, Tally, error_of, give_way, kept_payload, status_of
from feeds.redact import MASK, redact, secret_values
from feeds.sql_query import SqlQueryOptions
from store.records import Observation, ObservationBlock, Rejection

DAY = datetime(2026, 11, 18, 17, tzinfo=UTC)


def test_nothing_stored_and_records_rejected_is_a_bad_data_failure() -> None:
    tally = Tally(rejections=[Rejection("unknown area code '99999'")])
    assert status_of(tally) == "failed"
    assert error_of(tally) == (
        "bad_data",
        "nothing stored: 1 records rejected; first: unknown area code '99999'",
    )
    tally.accepted = 3
    assert status_of(tally) == "partial" and error_of(tally)[0] is None
    assert status_of(Tally()) == "ok"
    assert status_of(Tally(accepted=2, error=(ErrorKind.UNAVAILABLE, "timed out"))) == "partial"


def test_secrets_of_options_and_of_source_texts_are_masked() -> None:
    options = SqlQueryOptions.model_validate(
        {
            "url": "postgresql+psycopg://ioc:p%40ss-w0rd@db.soctrang.gov.vn/bc",
            "query": "SELECT 1 AS x",
            "mapping": {
                "area": {"fixed": "94"},
                "period": {"field": "x", "format": "year"},
                "observations": [{"metric": "tourism.visitors", "field": "x"}],
            },
        }
    )
    secrets = secret_values(options)
    assert "p@ss-w0rd" in secrets and "p%40ss-w0rd" in secrets
    text = "login ioc:p%40ss-w0rd@db failed; p@ss-w0rd refused"
    assert "w0rd" not in redact(text, secrets)
    source = 'error {"access_token": "eyJhbGciOi.x.y", "password": "hunter22"} Bearer abcdefgh1234'
    masked = redact(source)
    assert "eyJhbGciOi" not in masked and "hunter22" not in masked and "abcdefgh1234" not in masked
    assert masked.count(MASK) == 3
    assert secret_values(SecretStr("x")) == set()  # too short to mask ordinary text


def test_a_kept_payload_is_cut_redacted_or_base64() -> None:
    kept = kept_payload(b'{"token": "s3cr3t-abc"}' + b" " * 300_000, {"s3cr3t-abc"})
    assert kept is not None and kept.truncated and kept.size == 300_023
    assert "s3cr3t-abc" not in kept.content and len(kept.content) <= 256 * 1024
    binary = kept_payload(b"PK\x03\x04\x00\x00", set())
    assert binary is not None and binary.content.startswith(BINARY_PREFIX)
    assert kept_payload(None, set()) is None


def test_give_way_takes_out_owned_rows_and_names_the_owner() -> None:
    single = Observation("tourism.visitors", "941", DAY, 5.0)
    block = ObservationBlock("tourism.visitors", DAY, ("942", "943"), (1.0, 2.0))
    owners = {
        ("tourism.visitors", "941", "", "day", DAY): "so_du_lich",
        ("tourism.visitors", "943", "", "day", DAY): "so_du_lich",
    }
    kept, refused = give_way([single, block], owners)
    assert kept == [ObservationBlock("tourism.visitors", DAY, ("942",), (1.0,))]
    assert len(refused) == 2
    assert all("already stored by feed 'so_du_lich'" in r.reason for r in refused)
