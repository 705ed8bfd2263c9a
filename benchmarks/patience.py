"""SDK timeouts for the local stand-ins of AWS, on a machine shared with other work.

The functions' clients wait 10–15 s for an answer (lambdas/*/: right for AWS). moto is a
single Python process: on 2 vCPUs shared with other jobs, one 1 MB snapshot Query page can
take longer than that, and a scan would then fail for a reason AWS would never give. The
benchmark and the soak therefore give the clients 120 s to read and 30 s to connect; retry
modes, attempt counts and every call stay exactly as deployed.
"""

from __future__ import annotations

from typing import Any

from botocore.config import Config

LOCAL_TIMEOUTS = Config(connect_timeout=30, read_timeout=120)
_CONFIGS = (
    ("scanner.dependencies", "SMS_API_CONFIG"),
    ("scanner.dependencies", "AWS_CONFIG"),
    ("notifier.runtime", "BOTO_CONFIG"),
)


def relax_sdk_timeouts(setattr_: Any = setattr) -> None:
    """Longer connect/read timeouts on the functions' botocore configs (module attributes,
    read when a client is built). `setattr_` lets a pytest MonkeyPatch undo it."""
    import importlib

    for module_name, attribute in _CONFIGS:
        module = importlib.import_module(module_name)
        current = getattr(module, attribute, None)
        if isinstance(current, Config):
            setattr_(module, attribute, current.merge(LOCAL_TIMEOUTS))
