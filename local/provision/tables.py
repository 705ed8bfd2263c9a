"""DynamoDB tables of the template (with their indexes and TTL), created on moto."""

from __future__ import annotations

from typing import Any

from local.provision.template import Physical, TemplateResolver

_TABLE_PROPERTIES = (
    "TableName",
    "KeySchema",
    "AttributeDefinitions",
    "BillingMode",
    "ProvisionedThroughput",
    "GlobalSecondaryIndexes",
    "TimeToLiveSpecification",
)


def create_tables(stack: TemplateResolver, dynamodb: Any) -> None:
    for logical_id, definition in stack.of_type("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"):
        props = stack.resolve_keys(definition, _TABLE_PROPERTIES)
        name = stack.name(logical_id, props.get("TableName"), 255)
        request: dict[str, Any] = {
            "TableName": name,
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
        }
        if props.get("BillingMode") == "PAY_PER_REQUEST" or "ProvisionedThroughput" not in props:
            request["BillingMode"] = "PAY_PER_REQUEST"
        else:
            request["ProvisionedThroughput"] = props["ProvisionedThroughput"]
        indexes = [
            {k: v for k, v in index.items() if k in ("IndexName", "KeySchema", "Projection")}
            for index in props.get("GlobalSecondaryIndexes", [])
        ]
        if indexes:
            request["GlobalSecondaryIndexes"] = indexes
        arn = dynamodb.create_table(**request)["TableDescription"]["TableArn"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
            )
        stack.resources[logical_id] = Physical(
            logical_id, definition["Type"], name, {"Arn": arn, "StreamArn": f"{arn}/stream/local"}
        )
