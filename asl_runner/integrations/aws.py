"""Where AWS calls go: in-process moto (the default), an AWS-compatible endpoint, or real AWS.

- ``moto``: one mocked account (moto's 123456789012, the account asl-runner's ARNs use),
  started when something first needs it and kept until :meth:`AwsTarget.close`: a ``run``
  has its own, every execution of one ``serve`` process shares one. moto intercepts every
  botocore client of the process while it is active, so handlers in ``lambdas/`` that use
  boto3 reach the same account as the definition. A mock the caller already started (a test's
  ``with mock_aws():``) is joined, not reset.
- ``endpoint``: every call goes to one URL (a moto server, LocalStack), with dummy
  credentials unless real ones are configured. The process environment gets
  ``AWS_ENDPOINT_URL`` too, which boto3 reads, so handlers call the same endpoint.
- ``real``: the user's own credentials and configuration, as the AWS CLI would use them.
  Credentials are never printed, logged or put into a history: errors carry the service's
  message only.

boto3, botocore and moto are imported only when a call (or a handler that imports boto3)
needs them: a machine without AWS calls starts as fast as without this module.
"""

from __future__ import annotations

import importlib.machinery
import os
import sys
import threading
from typing import Any

MOTO, ENDPOINT, REAL = "moto", "endpoint", "real"
MODES = (MOTO, ENDPOINT, REAL)
#: what endpoint mode signs with when no credentials are configured (endpoints check none)
DUMMY_KEY = "asl-runner"
#: the region when neither the resource ARN nor the configuration names one
FALLBACK_REGION = "us-east-1"
#: the targets prepare() changed the process for (a moto account, the environment) and that
#: were not closed yet: held here, not weakly, because a target dropped unclosed leaves its
#: mock started in moto's globals, and only closing the target stops it
_OPEN: set = set()


def close_open_targets() -> int:
    """Close every target that prepared the process and was not closed (a test harness's
    cleanup between test modules: an account left open would be joined by the next one);
    returns how many there were."""
    targets = list(_OPEN)
    for target in targets:
        target.close()
    return len(targets)


class AwsTarget:
    """Hands out botocore clients by service name, all bound for one place.

    ``mode`` is ``moto``, ``endpoint`` or ``real``; by default ``endpoint`` when
    ``endpoint_url`` (or ``$AWS_ENDPOINT_URL``) is set, else ``moto``.
    """

    def __init__(self, mode: str | None = None, endpoint_url: str | None = None):
        endpoint_url = endpoint_url or None
        if mode is None:
            endpoint_url = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
            mode = ENDPOINT if endpoint_url else MOTO
        if mode not in MODES:
            raise ValueError(f"unknown AWS target {mode!r} (use one of {', '.join(MODES)})")
        if mode == ENDPOINT and not endpoint_url:
            endpoint_url = os.environ.get("AWS_ENDPOINT_URL")
            if not endpoint_url:
                raise ValueError("endpoint mode needs an endpoint URL (--aws-endpoint URL)")
        self.mode = mode
        self.endpoint_url = endpoint_url if mode == ENDPOINT else None
        self._lock = threading.RLock()
        self._session: Any = None
        self._clients: dict[tuple[str, str, bool], Any] = {}
        self._mock: Any = None
        self._prepared = False
        #: what prepare() changed in the process environment: the values it replaced
        self._replaced_environ: dict[str, str | None] = {}

    def describe(self) -> str:
        if self.mode == ENDPOINT:
            return f"the AWS endpoint {self.endpoint_url}"
        if self.mode == REAL:
            return "real AWS, with your credentials"
        return "in-process moto (account 123456789012)"

    # -- what every AWS call and every local handler needs first ------------------------------

    def prepare(self) -> None:
        """Make the process ready for AWS calls from here and from handlers (cheap: boto3 is
        not imported unless it already was)."""
        with self._lock:
            if self._prepared and (self.mode != MOTO or self._mock is not None):
                return
            self._prepared = True
            _OPEN.add(self)
            if self.mode != REAL and not _has_region():
                # Lambda always gives a function AWS_REGION and AWS_DEFAULT_REGION: a handler's
                # boto3.client("s3") would otherwise fail with NoRegionError on a machine with
                # no AWS configuration, where the definition's own calls go to us-east-1
                self._setenv("AWS_REGION", FALLBACK_REGION)
                self._setenv("AWS_DEFAULT_REGION", FALLBACK_REGION)
            if self.mode == ENDPOINT:
                # handlers' boto3 clients read the endpoint (and need credentials) from the
                # environment
                self._setenv("AWS_ENDPOINT_URL", self.endpoint_url)
                if not _has_credentials():
                    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
                        if key not in os.environ:
                            self._setenv(key, DUMMY_KEY)
            elif self.mode == MOTO:
                if os.environ.get("AWS_ENDPOINT_URL"):
                    # moto was chosen over the configured endpoint: handlers' clients too
                    self._setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
                if "botocore" in sys.modules:
                    self._start_moto()
                else:
                    _StartOnImport.install(self)

    def _start_moto(self) -> None:
        # moto imports boto3 itself: the import hook must be gone first, and the other
        # targets it was waiting for start now too
        waiting = _StartOnImport.release()
        with self._lock:
            if self._mock is None:
                from moto import mock_aws

                mock = mock_aws()
                mock.start()
                self._mock = mock
        for target in waiting:
            if target is not self:
                target._start_moto()

    def _setenv(self, key: str, value: str) -> None:
        self._replaced_environ.setdefault(key, os.environ.get(key))
        os.environ[key] = value

    def close(self) -> None:
        """Stop this target's mock (its account is gone unless an outer mock holds it), and
        give the process environment back as it was."""
        with self._lock:
            for key, value in self._replaced_environ.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            self._replaced_environ.clear()
            _StartOnImport.uninstall(self)
            _OPEN.discard(self)
            self._clients.clear()
            self._session = None
            if self._mock is not None:
                self._mock.stop()
                self._mock = None
            self._prepared = False

    # -- clients -------------------------------------------------------------------------------

    def region(self, resource_region: str | None = None) -> str:
        """The resource ARN's region, else the configured one (AWS_DEFAULT_REGION, the
        profile), else us-east-1."""
        if resource_region:
            return resource_region
        return self._botocore_session().get_config_variable("region") or FALLBACK_REGION

    def client(self, service: str, region: str, validate: bool = True) -> Any:
        """A botocore client for ``service`` (botocore's name) in ``region``; ``validate``
        False: one that sends what it is given, leaving its checks to the service (as the AWS
        SDK for Java 1.x, which Step Functions' optimized integrations use, does)."""
        key = (service, region, validate)
        client = self._clients.get(key)
        if client is not None:
            return client
        self.prepare()
        if self.mode == MOTO:
            self._start_moto()
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = self._new_client(service, region, validate)
        return client

    def _botocore_session(self) -> Any:
        with self._lock:
            if self._session is None:
                if self.mode == MOTO:
                    self._start_moto()  # its hooks must be in place before a session exists
                import botocore.session

                self._session = botocore.session.Session()
            return self._session

    def _new_client(self, service: str, region: str, validate: bool) -> Any:
        from botocore.config import Config

        session = self._botocore_session()
        options: dict[str, Any] = {
            "region_name": region,
            # the Java SDK's standard retry mode: throttling and 5xx are tried 3 times
            "config": Config(retries={"mode": "standard", "max_attempts": 3},
                             s3={"addressing_style": "path"} if self.mode == ENDPOINT else None,
                             # moto chosen over a configured $AWS_ENDPOINT_URL: stay in moto
                             ignore_configured_endpoint_urls=self.mode == MOTO,
                             parameter_validation=validate,
                             # Step Functions' SDK checks no response checksums, so it does not
                             # ask for them (ChecksumMode): S3 then sends none
                             response_checksum_validation="when_required"),
        }
        if self.mode == ENDPOINT:
            options["endpoint_url"] = self.endpoint_url
            if session.get_credentials() is None:
                options["aws_access_key_id"] = options["aws_secret_access_key"] = DUMMY_KEY
        return session.create_client(service, **options)


def _has_region() -> bool:
    """Whether a region may be configured (the environment, or a config file that may name
    one), judged without importing botocore."""
    if os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"):
        return True
    config = os.environ.get("AWS_CONFIG_FILE") or os.path.join(os.path.expanduser("~"), ".aws", "config")
    return os.path.isfile(config)


def _has_credentials() -> bool:
    """Whether credentials are configured, judged without importing botocore."""
    if os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE"):
        return True
    home = os.path.expanduser("~")
    files = (os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or os.path.join(home, ".aws", "credentials"),)
    return any(os.path.isfile(f) for f in files)


class _StartOnImport:
    """Starts moto right after boto3 or botocore is first imported (a ``sys.meta_path``
    finder; importlib.abc is not imported for it: it costs 7 ms of every start).

    A handler that does ``import boto3`` and makes a client at module level must get a mocked
    client: moto has to be imported (it installs botocore hooks that only sessions created
    afterwards pick up) and started before that client exists. Importing moto up front would
    cost every run with local handlers ~0.5 s, so it waits until the handler imports boto3.
    """

    _targets: list[AwsTarget] = []
    _finder: _StartOnImport | None = None
    _lock = threading.Lock()

    @classmethod
    def install(cls, target: AwsTarget) -> None:
        with cls._lock:
            if target not in cls._targets:
                cls._targets.append(target)
            if cls._finder is None:
                cls._finder = cls()
                sys.meta_path.insert(0, cls._finder)

    @classmethod
    def uninstall(cls, target: AwsTarget) -> None:
        with cls._lock:
            if target in cls._targets:
                cls._targets.remove(target)
            if not cls._targets:
                cls._remove_finder()

    @classmethod
    def release(cls) -> list[AwsTarget]:
        """Remove the hook; the targets that were waiting for it."""
        with cls._lock:
            targets, cls._targets = cls._targets, []
            cls._remove_finder()
            return targets

    @classmethod
    def _remove_finder(cls) -> None:
        if cls._finder is not None:
            if cls._finder in sys.meta_path:
                sys.meta_path.remove(cls._finder)
            cls._finder = None

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name not in ("boto3", "botocore"):
            return None
        if name == "botocore" and "boto3" in sys.modules:
            return None  # boto3 is importing it: start once boto3 is complete, not half-way
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _ThenStartMoto(spec.loader)
        return spec


class _ThenStartMoto:
    """Loads the package as its own loader would, then starts moto for the waiting targets."""

    def __init__(self, loader: Any):
        self._loader = loader

    def __getattr__(self, name: str) -> Any:  # get_data, get_resource_reader, ... as before
        return getattr(self._loader, name)

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._loader.exec_module(module)
        for target in _StartOnImport.release():
            target._start_moto()
