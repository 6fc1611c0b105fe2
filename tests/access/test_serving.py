"""`insight serve` binds 127.0.0.1 without sign-in, and refuses to expose the data unless told to."""

import pytest

from insight import cli, serving


def test_without_sign_in_only_this_machine_is_served():
    plan = serving.plan(None, no_auth=False, sign_in=False)
    assert plan.address == "127.0.0.1" and "only" in plan.notes[0] and plan.env == {}


@pytest.mark.parametrize("address", ["0.0.0.0", "192.168.1.20", "::", "shop.example"])
def test_another_address_without_sign_in_needs_no_auth(address):
    with pytest.raises(serving.ServeRefused, match="--no-auth"):
        serving.plan(address, no_auth=False, sign_in=False)
    plan = serving.plan(address, no_auth=True, sign_in=False)
    assert plan.address == address and plan.notes[0].startswith("WARNING") and plan.env == {"INSIGHT_NO_AUTH": "1"}


def test_with_sign_in_every_interface_is_served_and_no_auth_is_a_contradiction():
    assert serving.plan(None, no_auth=False, sign_in=True).address == "0.0.0.0"
    with pytest.raises(serving.ServeRefused):
        serving.plan(None, no_auth=True, sign_in=True)


def test_incomplete_sign_in_settings_are_named(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\nclient_id = "x"\n')
    with pytest.raises(serving.ServeRefused, match="cookie_secret.*client_secret.*server_metadata_url"):
        serving.auth_settings([secrets])
    secrets.write_text(
        '[auth]\nredirect_uri = "http://h/oauth2callback"\ncookie_secret = "s"\n'
        '[auth.google]\nclient_id = "i"\nclient_secret = "c"\nserver_metadata_url = "https://g/.well-known"\n'
    )
    assert serving.auth_settings([secrets])["google"]["client_id"] == "i"
    assert serving.auth_settings([tmp_path / "absent.toml"]) is None


def test_the_command_refuses_a_public_address_without_sign_in(tmp_path, capsys):
    empty = tmp_path / "secrets.toml"
    empty.write_text("")
    status = cli.main(["serve", "--db", str(tmp_path / "s.duckdb"), "--address", "0.0.0.0", "--secrets", str(empty)])
    assert status == 2 and "refusing to listen on 0.0.0.0 without sign-in" in capsys.readouterr().err
    assert not (tmp_path / "s.duckdb").exists()  # nothing was opened
