"""RCS agents' country launches and Notify configurations from the SMS API (boto3 client).

Takes the target's `pinpoint-sms-voice-v2` client, normally the one the target's SmsRegistry
wraps, so every call goes through the same per-operation rate limiter and API counters
(the Describe* quota is 1 request per second per account and region). Every page is read
(`MaxResults` 100, the maximum). ClientError / BotoCoreError become the domain's
RegistryError subclasses (regwatch_aws.sms_api.translate_client_error); an agent deleted
between listing it and reading its countries (ResourceNotFoundException) is skipped.
Items without an id or a status are skipped too: statuses are otherwise kept as sent,
so values AWS adds later flow through.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from regwatch.errors import RegistrationNotFound, RegistryUnavailable
from regwatch.messaging_resources import NotifyConfiguration, RcsCountryLaunch
from regwatch_aws.sms_api import translate_client_error

PAGE_SIZE = 100


def _text(item: Mapping[str, Any], name: str) -> str | None:
    value = item.get(name)
    return value if isinstance(value, str) and value else None


class SmsMessagingResources:
    """MessagingSource port (regwatch.messaging_scan) for one account-region."""

    def __init__(self, client: Any, page_size: int = PAGE_SIZE) -> None:
        self._client = client
        self._page_size = page_size

    def _call(self, operation: str, **request: Any) -> Any:
        try:
            return getattr(self._client, operation)(**request)
        except ClientError as error:
            raise translate_client_error(error) from error
        except BotoCoreError as error:
            raise RegistryUnavailable(f"{operation}: {error}") from error
        except ValueError as error:
            raise RegistryUnavailable(f"{operation}: malformed answer: {error}") from error

    def _pages(self, operation: str, items: str, **request: Any) -> Iterator[tuple[dict[str, Any], Any]]:
        token: str | None = None
        while True:
            page = {"MaxResults": self._page_size, **request, **({"NextToken": token} if token else {})}
            response = self._call(operation, **page)
            listed = response.get(items) or []
            if not isinstance(listed, list):
                raise RegistryUnavailable(f"{operation}: malformed answer: {items} is not a list")
            for item in listed:
                if isinstance(item, dict):
                    yield response, item
            token = response.get("NextToken")
            if not token:
                return

    def _agents(self) -> list[tuple[str, str]]:
        agents = []
        for _, item in self._pages("describe_rcs_agents", "RcsAgents"):
            agent_id = _text(item, "RcsAgentId")
            if agent_id:
                agents.append((agent_id, _text(item, "RcsAgentArn") or ""))
        return agents

    def rcs_country_launches(self) -> list[RcsCountryLaunch]:
        launches: list[RcsCountryLaunch] = []
        for agent_id, agent_arn in self._agents():
            try:
                pages = list(
                    self._pages(
                        "describe_rcs_agent_country_launch_status", "CountryLaunchStatus", RcsAgentId=agent_id
                    )
                )
            except RegistrationNotFound:
                continue  # deleted since it was listed
            for response, item in pages:
                country, status = _text(item, "IsoCountryCode"), _text(item, "Status")
                if not country or not status:
                    continue
                carriers = {
                    str(entry["CarrierName"]): str(entry["Status"])
                    for entry in item.get("CarrierStatus") or []
                    if isinstance(entry, dict) and _text(entry, "CarrierName") and _text(entry, "Status")
                }
                launches.append(
                    RcsCountryLaunch(
                        agent_id=agent_id,
                        agent_arn=agent_arn or _text(response, "RcsAgentArn") or "",
                        iso_country_code=country,
                        status=status,
                        registration_id=_text(item, "RegistrationId"),
                        carriers=carriers,
                    )
                )
        return launches

    def notify_configurations(self) -> list[NotifyConfiguration]:
        found: list[NotifyConfiguration] = []
        for _, item in self._pages("describe_notify_configurations", "NotifyConfigurations"):
            configuration_id, status = _text(item, "NotifyConfigurationId"), _text(item, "Status")
            if not configuration_id or not status:
                continue
            found.append(
                NotifyConfiguration(
                    configuration_id=configuration_id,
                    configuration_arn=_text(item, "NotifyConfigurationArn") or "",
                    display_name=_text(item, "DisplayName") or configuration_id,
                    status=status,
                    rejection_reason=_text(item, "RejectionReason"),
                    tier=_text(item, "Tier"),
                    tier_upgrade_status=_text(item, "TierUpgradeStatus"),
                )
            )
        return found
