"""Identity and roles: the proxy header is trusted only when configured."""

from __future__ import annotations

from pathlib import Path

import pytest

from panjmap.identity import PermissionDenied, Role, load_roles, require, resolve


@pytest.fixture
def roles_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "roles.toml"
    path.write_text('default = "viewer"\n[users]\nalice = "editor"\nbob = "reviewer"\n', encoding="utf-8")
    monkeypatch.setenv("PANJ_ROLES_FILE", str(path))
    return path


def test_local_mode_makes_the_user_at_this_machine_admin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PANJ_TRUSTED_USER_HEADER", raising=False)
    who = resolve({}, "127.0.0.1")
    assert (who.user, who.role, who.how) == ("local", Role.admin, "local")


def test_a_public_address_without_a_proxy_identity_is_a_viewer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PANJ_TRUSTED_USER_HEADER", raising=False)
    # The header is ignored: it was not configured, so anyone could have sent it.
    who = resolve({"X-Forwarded-User": "alice"}, "0.0.0.0")
    assert (who.user, who.role) == ("anonymous", Role.viewer)


def test_the_configured_header_names_the_user_and_the_file_their_role(roles_toml: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANJ_TRUSTED_USER_HEADER", "X-Forwarded-User")
    assert resolve({"x-forwarded-user": "alice"}, "127.0.0.1").role == Role.editor
    assert resolve({"X-Forwarded-User": "bob"}, "127.0.0.1").role == Role.reviewer
    assert resolve({"X-Forwarded-User": "carol"}, "127.0.0.1").role == Role.viewer
    # Behind a proxy the app listens on loopback too: that must not make anyone admin.
    assert resolve({}, "127.0.0.1").role == Role.viewer
    assert resolve({"X-Forwarded-User": "  "}, "127.0.0.1").user == "anonymous"


def test_require_refuses_a_role_below_the_action(roles_toml: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANJ_TRUSTED_USER_HEADER", "X-Forwarded-User")
    alice = resolve({"X-Forwarded-User": "alice"}, "127.0.0.1")
    require(alice, "edit-record")
    with pytest.raises(PermissionDenied, match="needs the reviewer role"):
        require(alice, "publish")
    viewer = resolve({}, "127.0.0.1")
    for action in ("import", "edit-record", "publish", "manage-roles"):
        with pytest.raises(PermissionDenied):
            require(viewer, action)


def test_an_unknown_role_in_the_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "roles.toml"
    path.write_text('[users]\nalice = "superuser"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="unknown role 'superuser'"):
        load_roles(path)
    assert load_roles(tmp_path / "missing.toml") == (Role.viewer, {})
