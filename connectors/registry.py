"""The connector registry: every connector declares itself, everybody else asks here.

Each connector package ``connectors/<kind>/`` holds a ``declaration.py`` with one
``DECLARATION = Declaration(...)``: its kind and title, where its class lives, the
credentials a connection needs, its sandbox (the local server), its OAuth protocol when the
system wants a user's consent (and the JSON form of its tokens), its webhooks when the system
calls back, its field catalogue, and what the host must hand its constructor (a token store,
a folder, server files named in options). The registry finds the packages by looking at
this folder, so adding a connector touches its own folder only; the engine and the service
(connection forms, the demo, ``mapwright sandbox``, ``mapwright connect``, lint) read the
declarations and know no connector by name.

Declarations are cheap to import: the connector class, its sandbox module and its field
catalogue are imported on first use (``Declaration.connector_class``, ``Sandbox.load``,
``Declaration.catalogue``).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from mapwright.connectors.errors import ConnectorError

if TYPE_CHECKING:
    import httpx
    from mapwright.connectors.base import Connector
    from mapwright.connectors.catalogue import SystemFields


class UnknownKind(ConnectorError):
    """No connector declares this kind; the message lists the kinds there are."""

    def __init__(self, kind: str, kinds: list[str]):
        super().__init__(
            f"no connector of kind '{kind}'; the kinds are: {', '.join(kinds)}. "
            "Fix 'kind' of the connection",
            code="unknown_kind",
        )
        self.kind = kind
        self.kinds = kinds


@dataclass(frozen=True)
class CredentialField:
    """One credential a connection of this kind takes, and how a form asks for it.

    Every credential is write-only (stored encrypted, never shown again); ``secret`` says
    whether a form hides what is typed (a password field: secrets, keys, tokens) or shows it
    (an id such as a client id). ``form=False`` keeps a field out of the browser's form: it
    only makes sense on the command line or in ``mapwright.toml`` (e.g. a path on the CLI's
    machine). An optional field (``required=False``) never counts as missing.
    """

    name: str
    required: bool = True
    help: str = ""
    #: what a form shows beside the input (short); defaults to the name, e.g. "Api key"
    label: str = ""
    #: hide the typed value (password-style input)
    secret: bool = True
    #: asked in the browser's connection form (False: command line and config only)
    form: bool = True

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", self.name.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Sandbox:
    """The connector's local server: ``module`` offers ``create_app(SandboxOptions)`` and
    ``describe(app, base_url) -> dict``; ``connect`` turns what ``describe`` says into the
    ``base_url`` and ``credentials`` of a connection to it."""

    name: str  # in URLs and on the command line: ``mapwright sandbox exact-online``
    module: str
    connect: Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]

    def load(self) -> Any:
        return importlib.import_module(self.module)


class OAuthProtocol(Protocol):
    """A system that wants a user's consent (authorization-code grant) before it answers.

    Tokens live inside the connection's credentials; the service runs the redirect at
    ``/api/v1/oauth/<slug>/callback`` and the command line at ``mapwright connect <slug>``.
    """

    slug: str

    def needs_consent(self, credentials: Mapping[str, Any]) -> bool:
        """True while the credentials hold no tokens from a consent."""
        ...

    def authorize_url(
        self, base_url: str | None, credentials: Mapping[str, Any], redirect_uri: str, state: str
    ) -> str:
        """The consent page the user opens."""
        ...

    async def exchange(
        self,
        http: httpx.AsyncClient,
        base_url: str | None,
        credentials: Mapping[str, Any],
        redirect_uri: str,
        code: str,
    ) -> dict[str, Any]:
        """Trade the redirect's ``code`` for tokens; returns the new credentials."""
        ...

    def token_store(
        self,
        read: Callable[[], dict[str, Any]],
        write: Callable[[dict[str, Any]], None],
        lock: Callable[[], Any],
    ) -> Any:
        """A token store keeping rotated tokens inside the credentials (``read``/``write``
        them; ``lock()`` is an async context manager held while refreshing)."""
        ...

    def token_file_seed(self, credentials: Mapping[str, Any], base_url: str | None) -> Any:
        """What to write into a new token file for credentials with a bare refresh token
        (``None``: the credentials need no token file)."""
        ...

    def tokens_from_json(self, data: Mapping[str, Any]) -> Any:
        """The tokens the connector's token store hands out, from their JSON (what the
        tokens' ``to_json()`` gave, or a ``token_file_seed``); a host keeping tokens
        elsewhere (``engine/token_store.py``) stores ``to_json()`` and reads them back here."""
        ...


class WebhookProtocol(Protocol):
    """A system that calls back when its records change (signed callbacks to the service,
    ``POST /api/v1/webhooks/<slug>/{tenant}/{connection}``).

    The secret the callbacks are signed with is the connection's credential ``secret``."""

    slug: str
    #: the credential holding the signing secret
    secret: str
    #: how to get the secret, for the operator (the log names it when it is missing)
    secret_help: str

    def verify(self, body: bytes, secret: str) -> dict[str, Any]:
        """The event of a genuine callback ``body`` (its ``Topic``, ``Action``, ``Key``);
        ``ConnectorError`` or ``ValueError`` when it is none or its signature is wrong."""
        ...

    def topic_of(self, obj: str) -> str | None:
        """The webhook topic of the connector's object ``obj`` (None: it sends none)."""
        ...


@dataclass(frozen=True)
class Declaration:
    """What one connector tells the rest of mapwright about itself."""

    kind: str
    title: str
    #: ``module:Class`` of the connector (imported on first use), or the class itself
    connector: str | type[Connector]
    credentials: tuple[CredentialField, ...] = ()
    sandbox: Sandbox | None = None
    oauth: OAuthProtocol | None = None
    #: its signed callbacks when records change, if the system sends any
    webhooks: WebhookProtocol | None = None
    #: ``module:function`` returning the ``SystemFields`` catalogue, if the connector has one
    fields: str | None = None
    #: ``module:function(typer_app)`` adding the ``mapwright connect`` commands, if any
    connect_commands: str | None = None
    #: the constructor takes ``token_store=`` (tokens rotate and must be kept between runs)
    token_store: bool = False
    #: the constructor takes ``root=``: a folder the host chooses (the tenant's folder)
    folder: bool = False
    #: options that may name a file on the server (the host confines them to its folder)
    option_files: tuple[str, ...] = ()
    #: options a connection cannot do without (a credential form does not ask them: the
    #: studio's wizard leaves such kinds to the API and ``mapwright.toml``)
    required_options: tuple[str, ...] = ()
    #: how a form asks for the connection's ``base_url`` (optional: left empty, the
    #: connector's default applies)
    base_url_label: str = "Base URL"
    base_url_help: str = ""
    notes: dict[str, str] = field(default_factory=dict)

    def connector_class(self) -> type[Connector]:
        if not isinstance(self.connector, str):
            return self.connector
        cls: type[Connector] = _attribute(self.connector)
        return cls

    def form_credentials(self) -> tuple[CredentialField, ...]:
        """The credentials a browser form asks for, in the declared order."""
        return tuple(c for c in self.credentials if c.form)

    def required_credentials(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.credentials if c.required)

    def missing_credentials(self, credentials: Mapping[str, Any]) -> list[str]:
        """The required credentials that are absent or empty."""
        return [name for name in self.required_credentials() if not credentials.get(name)]

    def catalogue(self) -> SystemFields | None:
        if self.fields is None:
            return None
        build: Callable[[], SystemFields] = _attribute(self.fields)
        return build()


def _attribute(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


_FOUND: dict[str, Declaration] | None = None


def declarations() -> dict[str, Declaration]:
    """Every declared connector by kind (the packages of ``connectors/`` that have a
    ``declaration.py``), in the order of their kinds."""
    global _FOUND
    if _FOUND is None:
        import mapwright.connectors as package

        found: dict[str, Declaration] = {}
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            if not info.ispkg:
                continue
            name = f"{package.__name__}.{info.name}.declaration"
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name == name:
                    continue  # a package without a declaration is no connector
                raise
            declared: Declaration = module.DECLARATION
            if declared.kind in found:
                raise RuntimeError(f"two connectors declare the kind '{declared.kind}'")
            found[declared.kind] = declared
        _FOUND = found
    return dict(_FOUND)


def kinds() -> list[str]:
    """Every connector kind of this installation, sorted: the declared ones and classes
    registered with ``connectors.base.register`` at run time (a test's double, a plug-in)."""
    from mapwright.connectors.base import CONNECTORS

    return sorted(set(declarations()) | set(CONNECTORS))


def declaration(kind: str) -> Declaration:
    """The declaration of ``kind``; ``UnknownKind`` (naming every kind) when none has it.
    A class registered without a declaration gets a plain one (no credentials listed)."""
    from mapwright.connectors.base import CONNECTORS

    found = declarations().get(kind)
    if found is not None:
        return found
    cls = CONNECTORS.get(kind)
    if cls is None:
        raise UnknownKind(kind, kinds())
    return Declaration(kind=kind, title=getattr(cls, "title", kind), connector=cls)


def sandboxes() -> dict[str, Declaration]:
    """The connectors that ship a sandbox, by the sandbox's name (``exact-online``)."""
    return {d.sandbox.name: d for d in declarations().values() if d.sandbox is not None}


def webhook_provider(slug: str) -> Declaration | None:
    """The connector whose webhooks answer at ``slug`` (``exact-online``)."""
    for found in declarations().values():
        if found.webhooks is not None and found.webhooks.slug == slug:
            return found
    return None


def oauth_provider(slug: str) -> Declaration | None:
    """The connector whose OAuth protocol answers at ``slug`` (``exact-online``)."""
    for found in declarations().values():
        if found.oauth is not None and found.oauth.slug == slug:
            return found
    return None
