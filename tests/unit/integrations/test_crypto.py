"""Tokens at rest (RELIABILITY T10): encrypted, bound to their row, field and company, fail closed."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from integrations.crypto import Binding, TokenDecryptError, decrypt_token, encrypt_token

ACCESS = "eyJhbGciOiJIUzUxMiJ9.access-plaintext-marker.sig"
REFRESH = "eyJhbGciOiJIUzUxMiJ9.refresh-plaintext-marker.sig"


def test_T10_a_raw_sql_read_of_the_grants_table_contains_no_token(grant_factory):
    grant_factory(access_token=ACCESS, refresh_token=REFRESH)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM integrations_zoomgrant")
        dump = json.dumps(cursor.fetchall(), default=str)
    for secret in (ACCESS, REFRESH, "access-plaintext-marker", "refresh-plaintext-marker"):
        assert secret not in dump


def test_T10_each_value_is_fernet_over_company_user_field_and_token(settings, grant_factory):
    grant = grant_factory(access_token=ACCESS)
    plaintext = Fernet(settings.TOKEN_ENCRYPTION_KEYS[0]).decrypt(grant.access_token.encode())
    assert json.loads(plaintext) == {
        "company": grant.company_id,
        "zoom_user_id": grant.zoom_user_id,
        "field": "access_token",
        "token": ACCESS,
    }
    assert grant.decrypt_access_token() == ACCESS


def test_T10_a_ciphertext_copied_to_another_grant_is_refused(grant_factory):
    first = grant_factory(access_token=ACCESS)
    second = grant_factory(company=first.company)
    second.access_token = first.access_token
    with pytest.raises(TokenDecryptError) as caught:
        second.decrypt_access_token()
    assert ACCESS not in str(caught.value)


def test_T10_a_ciphertext_copied_to_the_other_field_is_refused(grant_factory):
    grant = grant_factory(access_token=ACCESS, refresh_token=REFRESH)
    grant.refresh_token = grant.access_token
    with pytest.raises(TokenDecryptError):
        grant.decrypt_refresh_token()


def test_T10_a_ciphertext_moved_to_another_company_is_refused(grant_factory, company_factory):
    grant = grant_factory(access_token=ACCESS)
    grant.company = company_factory()
    with pytest.raises(TokenDecryptError):
        grant.decrypt_access_token()


def test_T10_a_missing_key_fails_closed(settings, grant_factory):
    grant = grant_factory(access_token=ACCESS)
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(TokenDecryptError) as caught:
        grant.decrypt_access_token()
    assert ACCESS not in str(caught.value)
    assert caught.value.__cause__ is None


def test_T10_a_plaintext_value_in_the_column_is_refused_not_used(grant_factory):
    grant = grant_factory()
    grant.access_token = ACCESS
    with pytest.raises(TokenDecryptError):
        grant.decrypt_access_token()


def test_T10_every_configured_key_decrypts_and_the_first_encrypts(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    binding = Binding(company_id=1, zoom_user_id="u", field="access_token")
    settings.TOKEN_ENCRYPTION_KEYS = [old]
    under_old = encrypt_token("tok", binding)
    settings.TOKEN_ENCRYPTION_KEYS = [new, old]
    assert decrypt_token(under_old, binding) == "tok"
    under_new = encrypt_token("tok", binding)
    Fernet(new).decrypt(under_new.encode())
    with pytest.raises(Exception):  # noqa: B017, PT011 - any failure will do: old must not read it
        Fernet(old).decrypt(under_new.encode())


def test_secret_key_plays_no_part(settings):
    binding = Binding(company_id=1, zoom_user_id="u", field="refresh_token")
    ciphertext = encrypt_token("tok", binding)
    settings.SECRET_KEY = "something-else-entirely"
    assert decrypt_token(ciphertext, binding) == "tok"


def test_an_empty_value_is_not_a_token():
    with pytest.raises(TokenDecryptError):
        decrypt_token("", Binding(company_id=1, zoom_user_id="u", field="access_token"))
    with pytest.raises(ValueError):  # noqa: PT011
        encrypt_token("", Binding(company_id=1, zoom_user_id="u", field="access_token"))
