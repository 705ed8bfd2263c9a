"""RCS agents (with per-country, per-carrier launch status) and Notify configurations.

Read operations in botocore 1.44.5's shapes: DescribeRcsAgents, DescribeRcsAgentCountryLaunchStatus
(per country CREATED / PENDING / PARTIAL / ACTIVE / REJECTED, per carrier PENDING / ACTIVE /
REJECTED, with the backing RegistrationId) and DescribeNotifyConfigurations (PENDING / ACTIVE /
REJECTED / REQUIRES_VERIFICATION, RejectionReason, tier upgrade status). Their state is set
through control actions (`set_rcs_agent`, `set_notify_configuration`) and scenario files
(`rcs_agents`, `notify_configurations`); statuses are any string, so values AWS adds later
flow through. This is the emulator side of watching them (issue 22, item 4); regwatch does
not scan them yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from local.emulator import pagination
from local.emulator.protocol import not_found, validation_error
from local.emulator.store import DEFAULT_ACCOUNT, Store

DEFAULT_MAX_RESULTS = 100


@dataclass(slots=True)
class CountryLaunch:
    status: str
    registration_id: str
    carriers: dict[str, str] = field(default_factory=dict)
    platform_id: str | None = None

    def to_api(self, iso_country_code: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "IsoCountryCode": iso_country_code,
            "Status": self.status,
            "RegistrationId": self.registration_id,
            "CarrierStatus": [{"CarrierName": n, "Status": s} for n, s in sorted(self.carriers.items())],
        }
        if self.platform_id:
            out["RcsPlatformId"] = self.platform_id
        return out


@dataclass(slots=True)
class RcsAgent:
    agent_id: str
    status: str
    created: float
    countries: dict[str, CountryLaunch] = field(default_factory=dict)

    def arn(self, region: str, account: str) -> str:
        return f"arn:aws:sms-voice:{region}:{account}:rcs-agent/{self.agent_id}"

    def to_api(self, region: str, account: str) -> dict[str, Any]:
        return {
            "RcsAgentArn": self.arn(region, account),
            "RcsAgentId": self.agent_id,
            "Status": self.status,
            "CreatedTimestamp": self.created,
            "DeletionProtectionEnabled": False,
            "SelfManagedOptOutsEnabled": False,
            "TwoWayEnabled": False,
        }


@dataclass(slots=True)
class NotifyConfiguration:
    configuration_id: str
    display_name: str
    status: str
    created: float
    tier: str = "BASIC"
    tier_upgrade_status: str = "BASIC"
    rejection_reason: str | None = None
    enabled_countries: list[str] = field(default_factory=lambda: ["US"])

    def to_api(self, region: str, account: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "NotifyConfigurationArn": f"arn:aws:sms-voice:{region}:{account}:notify-configuration/"
            f"{self.configuration_id}",
            "NotifyConfigurationId": self.configuration_id,
            "DisplayName": self.display_name,
            "UseCase": "CODE_VERIFICATION",
            "EnabledCountries": list(self.enabled_countries),
            "EnabledChannels": ["SMS"],
            "Tier": self.tier,
            "TierUpgradeStatus": self.tier_upgrade_status,
            "Status": self.status,
            "DeletionProtectionEnabled": False,
            "CreatedTimestamp": self.created,
        }
        if self.rejection_reason:
            out["RejectionReason"] = self.rejection_reason
        return out


@dataclass
class MessagingResources:
    """One account's RCS agents and Notify configurations in one region."""

    rcs_agents: dict[str, RcsAgent] = field(default_factory=dict)
    notify_configurations: dict[str, NotifyConfiguration] = field(default_factory=dict)


def resources_of(store: Store, region: str, account: str) -> MessagingResources:
    state = store.region(region, account)
    if state.messaging is None:
        state.messaging = MessagingResources()
    resources: MessagingResources = state.messaging
    return resources


# ---- API ----------------------------------------------------------------------------------------


def _filters(params: dict[str, Any]) -> dict[str, set[str]]:
    combined: dict[str, set[str]] = {}
    for entry in params.get("Filters") or []:
        combined.setdefault(entry["Name"], set()).update(entry["Values"])
    return combined


def _paged(
    operation: str, keys: list[str], params: dict[str, Any], store: Store, *parts: Any
) -> tuple[list[str], str | None]:
    fingerprint = pagination.fingerprint(operation, *parts)
    after = pagination.read_token(params.get("NextToken"), fingerprint)
    if after is not None and not isinstance(after, str):
        raise validation_error("INVALID_NEXT_TOKEN", "The NextToken is not valid.")
    remaining = [k for k in keys if after is None or k > after]
    limit = int(params.get("MaxResults") or DEFAULT_MAX_RESULTS)
    page = remaining[:limit]
    more = len(remaining) > limit
    return page, pagination.make_token(page[-1], fingerprint, store.clock.now()) if more else None


def _agent(resources: MessagingResources, id_or_arn: str) -> RcsAgent:
    agent = resources.rcs_agents.get(id_or_arn.rsplit("/", 1)[-1])
    if agent is None:
        raise not_found(id_or_arn, "rcs-agent")
    return agent


def describe_rcs_agents(
    store: Store, region: str, params: dict[str, Any], account: str = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    resources = resources_of(store, region, account)
    ids = [_agent(resources, i).agent_id for i in params.get("RcsAgentIds") or []]
    statuses = _filters(params).get("status")
    chosen = sorted(
        a.agent_id
        for a in resources.rcs_agents.values()
        if (not ids or a.agent_id in ids) and (statuses is None or a.status in statuses)
    )
    page, token = _paged("DescribeRcsAgents", chosen, params, store, sorted(ids), params.get("Filters"))
    response: dict[str, Any] = {"RcsAgents": [resources.rcs_agents[i].to_api(region, account) for i in page]}
    if token:
        response["NextToken"] = token
    return response


def describe_rcs_agent_country_launch_status(
    store: Store, region: str, params: dict[str, Any], account: str = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    agent = _agent(resources_of(store, region, account), params["RcsAgentId"])
    wanted = set(params.get("IsoCountryCodes") or [])
    statuses = _filters(params).get("country-launch-status")
    chosen = sorted(
        iso
        for iso, launch in agent.countries.items()
        if (not wanted or iso in wanted) and (statuses is None or launch.status in statuses)
    )
    page, token = _paged(
        "DescribeRcsAgentCountryLaunchStatus", chosen, params, store, agent.agent_id, sorted(wanted),
        params.get("Filters"),
    )  # fmt: skip
    response: dict[str, Any] = {
        "RcsAgentId": agent.agent_id,
        "RcsAgentArn": agent.arn(region, account),
        "CountryLaunchStatus": [agent.countries[iso].to_api(iso) for iso in page],
    }
    if token:
        response["NextToken"] = token
    return response


_NOTIFY_FILTERS: dict[str, Callable[[NotifyConfiguration], str]] = {
    "status": lambda c: c.status,
    "tier-upgrade-status": lambda c: c.tier_upgrade_status,
    "display-name": lambda c: c.display_name,
    "use-case": lambda _: "CODE_VERIFICATION",
}


def describe_notify_configurations(
    store: Store, region: str, params: dict[str, Any], account: str = DEFAULT_ACCOUNT
) -> dict[str, Any]:
    resources = resources_of(store, region, account)
    ids = params.get("NotifyConfigurationIds") or []
    for wanted_id in ids:
        if wanted_id not in resources.notify_configurations:
            raise not_found(wanted_id, "notify-configuration")
    filters = _filters(params)

    def keep(configuration: NotifyConfiguration) -> bool:
        return all(
            name not in _NOTIFY_FILTERS or _NOTIFY_FILTERS[name](configuration) in values
            for name, values in filters.items()
        )

    chosen = sorted(
        c.configuration_id
        for c in resources.notify_configurations.values()
        if (not ids or c.configuration_id in ids) and keep(c)
    )
    page, token = _paged(
        "DescribeNotifyConfigurations", chosen, params, store, sorted(ids), params.get("Filters")
    )
    response: dict[str, Any] = {
        "NotifyConfigurations": [resources.notify_configurations[i].to_api(region, account) for i in page]
    }
    if token:
        response["NextToken"] = token
    return response


HANDLERS = {
    "DescribeRcsAgents": describe_rcs_agents,
    "DescribeRcsAgentCountryLaunchStatus": describe_rcs_agent_country_launch_status,
    "DescribeNotifyConfigurations": describe_notify_configurations,
}


# ---- control actions (also scenario `rcs_agents` / `notify_configurations` entries) ------------


def set_rcs_agent(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    """`id`, `status`, `countries` {ISO: {status, registration_id, carriers {name: status}}};
    countries given are replaced, carriers merged; `region` / `account` optional."""
    region = body.get("region") or "us-east-1"
    account = str(body.get("account") or DEFAULT_ACCOUNT)
    resources = resources_of(store, region, account)
    agent_id = str(body["id"])
    agent = resources.rcs_agents.get(agent_id)
    if agent is None:
        agent = resources.rcs_agents[agent_id] = RcsAgent(
            agent_id, str(body.get("status", "CREATED")), store.now()
        )
    if "status" in body:
        agent.status = str(body["status"])
    for iso, spec in (body.get("countries") or {}).items():
        launch = agent.countries.get(iso)
        if launch is None:
            launch = agent.countries[iso] = CountryLaunch(str(spec.get("status", "CREATED")), "")
        launch.status = str(spec.get("status", launch.status))
        launch.registration_id = str(spec.get("registration_id", launch.registration_id))
        launch.platform_id = spec.get("platform_id", launch.platform_id)
        launch.carriers.update({str(k): str(v) for k, v in (spec.get("carriers") or {}).items()})
    return agent.to_api(region, account)


def set_notify_configuration(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    """`id`, `status`, `display_name`, `rejection_reason` (null clears it), `tier`,
    `tier_upgrade_status`, `enabled_countries`; `region` / `account` optional."""
    region = body.get("region") or "us-east-1"
    account = str(body.get("account") or DEFAULT_ACCOUNT)
    resources = resources_of(store, region, account)
    config_id = str(body["id"])
    configuration = resources.notify_configurations.get(config_id)
    if configuration is None:
        configuration = resources.notify_configurations[config_id] = NotifyConfiguration(
            config_id,
            str(body.get("display_name", config_id)),
            str(body.get("status", "PENDING")),
            store.now(),
        )
    for name in ("status", "display_name", "tier", "tier_upgrade_status"):
        if name in body:
            setattr(configuration, name, str(body[name]))
    if "rejection_reason" in body:
        configuration.rejection_reason = body["rejection_reason"]
    if "enabled_countries" in body:
        configuration.enabled_countries = [str(c) for c in body["enabled_countries"]]
    return configuration.to_api(region, account)


ACTIONS = {"set_rcs_agent": set_rcs_agent, "set_notify_configuration": set_notify_configuration}
