"""Roles from the settings file: addresses, domains, fallbacks, and mistakes named with their file."""

import pytest

from insight import access


@pytest.fixture
def settings(tmp_path, monkeypatch):
    path = tmp_path / "insight.toml"
    monkeypatch.setenv("INSIGHT_SETTINGS_FILE", str(path))
    return path


def test_an_address_beats_its_domain_and_the_highest_role_wins(settings):
    settings.write_text(
        '[roles]\nadmin = ["Ops@Shop.example"]\nanalyst = ["ana@shop.example"]\nviewer = ["@shop.example"]\n'
        'marketer = ["@shop.example"]\n'
    )
    rules = access.role_rules()
    assert rules.role_for("ops@shop.example") == "admin"  # case does not matter
    assert rules.role_for("ANA@shop.example") == "analyst"
    assert rules.role_for("bob@shop.example") == "marketer"  # two domain entries: the higher role
    assert rules.role_for("eve@other.example") is None  # no default: no access
    assert rules.role_for("eve@sub.shop.example") is None  # a domain is not its subdomains


def test_an_unverified_address_only_gets_the_default(settings):
    settings.write_text('[roles]\nadmin = ["ops@shop.example"]\ndefault = "viewer"\n')
    rules = access.role_rules()
    assert rules.role_for("ops@shop.example", verified=False) == "viewer"
    assert rules.role_for("ops@shop.example", verified=None) == "admin"  # providers that do not say
    assert rules.role_for(None) == "viewer"


def test_without_a_settings_file_local_visitors_are_admins_and_signed_in_ones_have_no_role(settings):
    rules = access.role_rules()
    assert rules.anonymous == "admin" and rules.role_for("x@y.example") is None


@pytest.mark.parametrize(
    "text, words",
    [
        ('[roles]\nsuperuser = ["a@b.example"]\n', "unknown key"),
        ('[roles]\nadmin = "not-an-address"\n', "neither an address"),
        ('[roles]\ndefault = "owner"\n', "roles.default must be one of"),
        ("[roles\n", "not a valid settings file"),
    ],
)
def test_mistakes_in_the_settings_file_are_refused_naming_the_file(settings, text, words):
    settings.write_text(text)
    with pytest.raises(ValueError, match=words) as raised:
        access.role_rules()
    assert str(settings) in str(raised.value)


def test_roles_are_cumulative_and_a_refusal_names_the_role_needed():
    assert access.allows("admin", "viewer") and access.allows("analyst", "marketer")
    assert not access.allows("marketer", "analyst") and not access.allows(None, "viewer")
    text = access.refusal("analyst", "viewer", "The User profile page")
    assert "analyst" in text and "your role is viewer" in text
