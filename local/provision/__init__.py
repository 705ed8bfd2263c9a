"""Create the synthesized stack's resources on moto server, from the template itself.

What runs locally is what deploys: tables, queues, topics, secrets, the bus, its
rules with their event patterns and targets are read from the CloudFormation template
that `cdk synth` wrote, with the intrinsics it uses (Ref, Fn::GetAtt, Fn::Join,
Fn::Sub, Fn::Select, Fn::Split, Fn::If) resolved to the local names and ARNs
(template.py). One module per kind of resource: messaging.py (queues, topics,
subscriptions), tables.py, secrets.py, event_bus.py (bus, archive), rules.py,
function_specs.py; provisioner.py runs them in order.

Two things moto cannot do are bridged, and only those: a rule's Lambda target becomes
an SQS "delivery queue" target (pattern kept verbatim; `local.delivery` invokes the
function from that queue, applying the target's RetryPolicy and DeadLetterConfig), and
functions are not created in moto but described as `FunctionSpec`s (handler,
environment, asset folder) for `local.functions` to run.
"""

from local.provision.provisioner import Provisioner
from local.provision.stack import IGNORED_TYPES, LambdaTarget, ProvisionedStack
from local.provision.template import CREATED_TYPES, Physical, TemplateError, load_template

__all__ = [
    "CREATED_TYPES",
    "IGNORED_TYPES",
    "LambdaTarget",
    "Physical",
    "ProvisionedStack",
    "Provisioner",
    "TemplateError",
    "load_template",
]
