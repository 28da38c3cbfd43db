"""A template's Lambda functions and where their code is on this machine.

``AWS::Serverless::Function``: ``CodeUri`` (a folder relative to the template; SAM's
``Globals.Function`` fills what the function leaves out) and ``Handler``.
``AWS::Lambda::Function``: ``Code`` as a local folder (as ``aws cloudformation package``
takes it), or CDK's asset folder (the resource's ``aws:asset:path`` metadata, beside the
template in ``cdk.out``).
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

from . import LocalFunction
from .resources import local_name

if TYPE_CHECKING:
    from .intrinsics import Resolver


#: a Python handler setting: a module path (dots or slashes between names) and a function name,
#: so that it cannot name a file outside the function's code folder
_IDENTIFIERS = re.compile(r"[A-Za-z_]\w*(?:[./][A-Za-z_]\w*)*\.[A-Za-z_]\w*")


def local_functions(template: dict, path: str, resolver: Resolver) -> dict[str, LocalFunction]:
    base = os.path.dirname(os.path.abspath(path))
    defaults = template.get("Globals", {}).get("Function", {}) if isinstance(
        template.get("Globals"), dict) else {}
    if not isinstance(defaults, dict):
        defaults = {}
    functions = {}
    for logical_id, resource in resolver.resources.items():
        if not isinstance(resource, dict):
            continue
        kind = resource.get("Type")
        properties = resource.get("Properties") if isinstance(resource.get("Properties"), dict) else {}
        if kind == "AWS::Serverless::Function":
            properties = {**defaults, **properties}
            code, why = _sam_code(properties, base)
        elif kind == "AWS::Lambda::Function":
            code, why = _lambda_code(properties, resource.get("Metadata"), base)
        else:
            continue
        where = f"Resources/{logical_id}/Properties"
        handler = properties.get("Handler")
        handler = resolver.text(handler, f"{where}/Handler") if handler is not None else None
        runtime = properties.get("Runtime")
        runtime = resolver.text(runtime, f"{where}/Runtime") if runtime is not None else None
        if why is None and runtime is not None and not runtime.startswith("python"):
            why = f"its Runtime is {runtime}: asl-runner runs Python handlers only"
        if why is None and not _IDENTIFIERS.fullmatch(handler or ""):
            why = (f"its Handler {handler!r} is not MODULE.FUNCTION (a Python module path and a "
                   "function name)" if handler else "it has no Handler")
        if why is None and not os.path.isdir(code):
            why = f"its code folder {code} does not exist"
        functions[logical_id] = LocalFunction(
            logical_id=logical_id, name=local_name(resolver, logical_id, resource),
            code_dir=code, handler=handler, runtime=runtime, unavailable=why)
    return functions


def _sam_code(properties: dict, base: str) -> tuple[str | None, str | None]:
    if properties.get("PackageType") == "Image":
        return None, "it is a container image (PackageType: Image)"
    if "InlineCode" in properties and "CodeUri" not in properties:
        return None, "its code is inline (InlineCode)"
    uri = properties.get("CodeUri", ".")  # SAM builds the template's folder when none is given
    if isinstance(uri, str) and not uri.startswith("s3://"):
        return os.path.normpath(os.path.join(base, uri)), None
    return None, f"its code is in S3 (CodeUri {uri!r}), not on this machine"


def _lambda_code(properties: dict, metadata: Any, base: str) -> tuple[str | None, str | None]:
    code = properties.get("Code")
    if isinstance(code, str) and not code.startswith("s3://"):
        return os.path.normpath(os.path.join(base, code)), None
    if isinstance(metadata, dict) and isinstance(metadata.get("aws:asset:path"), str) \
            and metadata.get("aws:asset:property", "Code") == "Code":
        return os.path.normpath(os.path.join(base, metadata["aws:asset:path"])), None
    if isinstance(code, dict) and "ZipFile" in code:
        return None, "its code is inline (Code.ZipFile)"
    if isinstance(code, dict) and "ImageUri" in code:
        return None, "it is a container image (Code.ImageUri)"
    return None, "its code is in S3, not on this machine"


def handler_file(function: LocalFunction) -> tuple[str, str, str]:
    """(the handler's file, its module name, its function name) from the Handler setting:
    ``app.lambda_handler`` is ``lambda_handler`` in CODE/app.py; ``src/app.handler`` and
    ``pkg.app.handler`` are in CODE/src/app.py and CODE/pkg/app.py."""
    module, _, attribute = (function.handler or "").rpartition(".")
    relative = module.replace(".", "/")
    return os.path.join(function.code_dir or "", relative + ".py"), module.rsplit("/", 1)[-1], attribute
