"""The multi-account settings: accounts, organization, spokeRoleName, externalId, maxScannerConcurrency."""

from __future__ import annotations

import pytest

from infra.config import ConfigError, load_config


def config_of(settings: dict[str, object]):  # type: ignore[no-untyped-def]
    return load_config({"regwatch": settings})


def test_default_is_the_deploying_account_only() -> None:
    config = config_of({})
    assert config.accounts == []
    assert config.organization.enabled is False
    assert config.spoke_role_name == "regwatch-spoke-reader"
    assert config.max_scanner_concurrency == 10


def test_static_accounts_and_organization_are_read() -> None:
    config = config_of(
        {
            "accounts": [
                {"id": "111122223333"},
                {
                    "id": "222233334444",
                    "roleArn": "arn:aws:iam::222233334444:role/x",
                    "regions": ["eu-west-1"],
                },
            ],
            "organization": {
                "enabled": True,
                "organizationId": "o-abcdefghij",
                "ouIds": ["ou-ab12-cdefgh12"],
                "excludeAccounts": ["999988887777"],
            },
            "externalId": "regwatch-7f3a",
            "maxScannerConcurrency": 50,
        }
    )
    assert [a.id for a in config.accounts] == ["111122223333", "222233334444"]
    assert config.accounts[1].regions == ["eu-west-1"]
    assert config.organization.ou_ids == ["ou-ab12-cdefgh12"]
    assert config.external_id == "regwatch-7f3a"


def test_command_line_json_for_objects() -> None:
    config = load_config({"regwatch.accounts": '[{"id": "111122223333"}]'})
    assert config.accounts[0].id == "111122223333"


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"accounts": [{"id": "12345"}]}, "regwatch.accounts.0.id"),
        (
            {"accounts": [{"id": "111122223333"}, {"id": "111122223333"}]},
            "regwatch.accounts: lists an account twice",
        ),
        (
            {"accounts": [{"id": "111122223333", "roleArn": "arn:aws:iam::222233334444:role/x"}]},
            "regwatch.accounts.0: roleArn",
        ),
        ({"spokeRoleName": "bad role!"}, "regwatch.spokeRoleName"),
        ({"spokeRoleName": "x" * 65}, "regwatch.spokeRoleName"),
        ({"externalId": "a"}, "regwatch.externalId"),
        ({"organization": {"enabled": True}}, "regwatch.organization: organizationId is required"),
        ({"organization": {"ouIds": ["engineering"]}}, "regwatch.organization.ouIds"),
        ({"organization": {"excludeAccounts": ["1234"]}}, "regwatch.organization.excludeAccounts"),
        ({"maxScannerConcurrency": 1}, "regwatch.maxScannerConcurrency"),
        ({"spoke": {"hubAccountId": "abc"}}, "regwatch.spoke.hubAccountId"),
    ],
)
def test_bad_values_name_the_setting(settings: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_of(settings)
    assert named in str(caught.value)
