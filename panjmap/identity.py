"""Who is using the app, and what they may do.

Three ways to know the user, in this order:
- behind a reverse proxy: the header named by ``PANJ_TRUSTED_USER_HEADER`` (e.g.
  ``X-Forwarded-User``, set by nginx after it authenticated the user). It is trusted only
  when configured, since any browser can send any header to a server it reaches directly;
  a configured header that is missing or empty makes the user an anonymous viewer.
- local mode (no trusted header configured, server listening on loopback only): the one
  person at this machine is ``local``, an admin.
- otherwise (listening on a public address with no proxy identity): anonymous viewer.

Roles come from a TOML file (``PANJ_ROLES_FILE``, default ``<data dir>/roles.toml``)::

    default = "viewer"          # role of an authenticated user not listed below
    [users]
    alice = "editor"
    bob = "reviewer"

Every write checks the role on the server with :func:`require`; widgets hiding a button
are a convenience, not the check.
"""

from __future__ import annotations

import enum
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from panjmap.paths import ROOT

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class Role(enum.IntEnum):
    """Ordered: each role may do what the ones below it may."""

    viewer = 0
    editor = 1
    reviewer = 2
    admin = 3


# What each kind of write needs; the editorial workflow and the store name their actions here.
ACTIONS: dict[str, Role] = {
    "import": Role.editor,
    "remove-import": Role.editor,
    "add-source": Role.editor,
    "edit-source": Role.editor,
    "edit-record": Role.editor,
    "retire-record": Role.editor,
    "merge-records": Role.editor,
    "review": Role.reviewer,
    "publish": Role.reviewer,
    "revert": Role.reviewer,
    "manage-roles": Role.admin,
}


class PermissionDenied(PermissionError):
    """A write the user's role does not allow; the message says which role it needs."""


@dataclass(frozen=True)
class Identity:
    user: str
    role: Role
    how: str  # "proxy", "local" or "anonymous": shown beside the name

    @property
    def label(self) -> str:
        return f"{self.user} ({self.role.name})"


def roles_file() -> Path:
    configured = os.environ.get("PANJ_ROLES_FILE")
    if configured:
        return Path(configured)
    return Path(os.environ.get("PANJ_DATA_DIR", ROOT / "data")) / "roles.toml"


def load_roles(path: Path | None = None) -> tuple[Role, dict[str, Role]]:
    """The default role and the named users' roles. A missing file means everyone is a viewer."""
    path = path or roles_file()
    if not path.exists():
        return Role.viewer, {}
    with path.open("rb") as handle:
        config = tomllib.load(handle)
    try:
        default = Role[str(config.get("default", "viewer"))]
        users = {str(name): Role[str(role)] for name, role in dict(config.get("users", {})).items()}
    except KeyError as exc:
        raise ValueError(f"{path}: unknown role {exc.args[0]!r}; roles are {', '.join(r.name for r in Role)}") from None
    return default, users


def resolve(headers: Mapping[str, str], server_address: str, roles: tuple[Role, dict[str, Role]] | None = None) -> Identity:
    """The identity of a request, from its headers and the address the server listens on."""
    header = os.environ.get("PANJ_TRUSTED_USER_HEADER", "").strip()
    if header:
        lowered = {k.lower(): v for k, v in headers.items()}
        user = (lowered.get(header.lower()) or "").strip()
        if not user:
            return Identity("anonymous", Role.viewer, "anonymous")
        default, users = roles or load_roles()
        return Identity(user, users.get(user, default), "proxy")
    if server_address.strip() in LOOPBACK:
        return Identity("local", Role.admin, "local")
    return Identity("anonymous", Role.viewer, "anonymous")


def require(identity: Identity, action: str) -> None:
    """Raise PermissionDenied unless ``identity`` may do ``action``."""
    needed = ACTIONS[action]
    if identity.role < needed:
        raise PermissionDenied(f"{identity.label} may not {action.replace('-', ' ')}: it needs the {needed.name} role")


def current() -> Identity:
    """The identity of the Streamlit session running this script."""
    import streamlit as st

    return resolve(dict(st.context.headers or {}), str(st.get_option("server.address") or ""))
