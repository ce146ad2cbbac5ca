"""Registration, login, refresh-token rotation and reuse detection, logout, token checks."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import jwt
import pytest
from argon2 import PasswordHasher, Type
from sqlalchemy import select, update

from taskflow_core.domain.models import User
from tests.conftest import TEST_PASSWORD, bearer, execute_sql, random_email, register

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from taskflow_core.runtime import Runtime
    from taskflow_core.settings import Settings


def login(client: TestClient, email: str, password: str = TEST_PASSWORD) -> Any:
    return client.post("/auth/login", json={"email": email, "password": password})


def refresh(client: TestClient, token: str) -> Any:
    return client.post("/auth/refresh", json={"refreshToken": token})


def test_register_returns_tokens_and_the_user_without_secrets(client: TestClient) -> None:
    email = random_email()
    response = client.post(
        "/auth/register",
        json={"email": f"  {email.upper()} ", "name": "Ada", "password": TEST_PASSWORD},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["tokenType"] == "Bearer"
    assert body["expiresIn"] == 900
    assert body["user"]["email"] == email  # trimmed and lower-cased
    assert body["user"]["role"] == "user"
    assert set(body["user"]) == {
        "id",
        "email",
        "name",
        "role",
        "isActive",
        "createdAt",
        "updatedAt",
    }
    assert response.headers["cache-control"] == "no-store"
    assert len(body["refreshToken"]) >= 43  # 256 bits, base64url


def test_register_twice_with_the_same_email_is_a_conflict(client: TestClient) -> None:
    email = random_email()
    register(client, email=email)
    response = client.post(
        "/auth/register", json={"email": email.upper(), "name": "Again", "password": TEST_PASSWORD}
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "Email already registered"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("password", "short"),
        ("password", "x" * 129),
        ("name", ""),
        ("name", "n" * 101),
    ],
)
def test_register_validation_names_the_field(client: TestClient, field: str, value: str) -> None:
    body = {"email": random_email(), "name": "Ada", "password": TEST_PASSWORD} | {field: value}
    response = client.post("/auth/register", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_register_refuses_a_role_field(client: TestClient) -> None:
    response = client.post(
        "/auth/register",
        json={
            "email": random_email(),
            "name": "Mallory",
            "password": TEST_PASSWORD,
            "role": "admin",
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "role", "message": "unknown field"}]


def test_login_accepts_snake_case_and_camel_case_alike(client: TestClient) -> None:
    tokens = register(client)
    response = client.post("/auth/refresh", json={"refresh_token": tokens["refreshToken"]})
    assert response.status_code == 200


def test_unknown_email_and_wrong_password_get_identical_401s(client: TestClient) -> None:
    email = random_email()
    register(client, email=email)
    unknown = login(client, random_email())
    wrong = login(client, email, "wrong password")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.headers["www-authenticate"] == wrong.headers["www-authenticate"] == "Bearer"
    strip = lambda body: {k: v for k, v in body.items() if k != "requestId"}  # noqa: E731
    assert strip(unknown.json()) == strip(wrong.json())


def test_login_then_me(client: TestClient) -> None:
    email = random_email()
    register(client, email=email)
    tokens = login(client, email).json()
    me = client.get("/auth/me", headers=bearer(tokens))
    assert me.status_code == 200
    assert me.json()["email"] == email


def test_refresh_rotates_and_the_old_token_stops_working(client: TestClient) -> None:
    first = register(client)
    second = refresh(client, first["refreshToken"])
    assert second.status_code == 200
    assert second.json()["refreshToken"] != first["refreshToken"]
    assert client.get("/auth/me", headers=bearer(second.json())).status_code == 200
    assert refresh(client, first["refreshToken"]).status_code == 401


# Reuse at once counts as theft (the grace covers a client refreshing several times at once).
NO_GRACE = pytest.mark.parametrize(
    "settings_overrides", [{"refresh_reuse_grace": 0}], indirect=True
)


@NO_GRACE
def test_reused_refresh_token_revokes_the_whole_family(client: TestClient) -> None:
    first = register(client)
    second = refresh(client, first["refreshToken"]).json()
    reuse = refresh(client, first["refreshToken"])
    assert reuse.status_code == 401
    # The thief's copy cost the legitimate holder its newest tokens too, the access token
    # included.
    assert refresh(client, second["refreshToken"]).status_code == 401
    assert client.get("/auth/me", headers=bearer(second)).status_code == 401


def test_a_spent_token_presented_again_within_the_grace_keeps_the_session(
    client: TestClient,
) -> None:
    first = register(client)
    second = refresh(client, first["refreshToken"]).json()
    assert refresh(client, first["refreshToken"]).status_code == 401
    assert client.get("/auth/me", headers=bearer(second)).status_code == 200
    assert refresh(client, second["refreshToken"]).status_code == 200


def test_of_concurrent_refreshes_of_one_token_exactly_one_wins_and_its_pair_stays_valid(
    client: TestClient,
) -> None:
    tokens = register(client)
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: refresh(client, tokens["refreshToken"]), range(6)))
    winners = [answer.json() for answer in answers if answer.status_code == 200]
    assert len(winners) == 1
    assert sorted(answer.status_code for answer in answers) == [200] + [401] * 5
    assert client.get("/auth/me", headers=bearer(winners[0])).status_code == 200
    assert refresh(client, winners[0]["refreshToken"]).status_code == 200


@NO_GRACE
def test_reuse_in_one_family_leaves_other_devices_logged_in(client: TestClient) -> None:
    email = random_email()
    laptop = register(client, email=email)
    phone = login(client, email).json()
    refresh(client, laptop["refreshToken"])
    refresh(client, laptop["refreshToken"])  # reuse: laptop family revoked
    assert refresh(client, phone["refreshToken"]).status_code == 200


def test_logout_revokes_the_family(client: TestClient) -> None:
    tokens = register(client)
    rotated = refresh(client, tokens["refreshToken"]).json()
    assert (
        client.post("/auth/logout", json={"refreshToken": rotated["refreshToken"]}).status_code
        == 204
    )
    assert refresh(client, rotated["refreshToken"]).status_code == 401


def test_logout_with_an_unknown_token_is_quietly_accepted(client: TestClient) -> None:
    assert client.post("/auth/logout", json={"refreshToken": "nope"}).status_code == 204


def test_refresh_with_garbage_is_401(client: TestClient) -> None:
    response = refresh(client, "garbage")
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid or expired refresh token"


@pytest.mark.parametrize("settings_overrides", [{"refresh_token_ttl": 60}], indirect=True)
def test_expired_refresh_token_is_refused(client: TestClient, settings: Settings) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from taskflow_core.domain.clock import utcnow
    from taskflow_core.domain.models import RefreshToken

    tokens = register(client)
    execute_sql(settings, update(RefreshToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert refresh(client, tokens["refreshToken"]).status_code == 401


def test_expired_access_token_is_refused(client: TestClient, runtime: Runtime) -> None:
    claims = _claims(client, register(client))
    now = int(time.time())
    expired = jwt.encode(
        claims | {"iat": now - 901, "exp": now - 1},
        key=runtime.settings.signing_key,
        algorithm="HS256",
    )
    response = client.get("/auth/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def _claims(client: TestClient, tokens: dict[str, Any]) -> dict[str, Any]:
    return jwt.decode(tokens["accessToken"], options={"verify_signature": False})


def test_access_token_claims(client: TestClient) -> None:
    tokens = register(client)
    claims = _claims(client, tokens)
    assert claims["sub"] == tokens["user"]["id"]
    assert claims["type"] == "access"
    assert claims["role"] == "user"
    assert {"iat", "exp", "jti", "iss", "aud"} <= set(claims)
    assert claims["exp"] - claims["iat"] == 900


def test_alg_none_token_is_refused(client: TestClient) -> None:
    claims = _claims(client, register(client))
    forged = jwt.encode(claims, key="", algorithm="none")
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_token_signed_with_another_key_is_refused(client: TestClient) -> None:
    claims = _claims(client, register(client)) | {"role": "admin"}
    forged = jwt.encode(claims, key="another-key-" + "y" * 32, algorithm="HS256")
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_refresh_token_is_not_an_access_token(client: TestClient) -> None:
    tokens = register(client)
    response = client.get("/auth/me", headers={"Authorization": f"Bearer {tokens['refreshToken']}"})
    assert response.status_code == 401


def test_token_of_another_type_or_audience_is_refused(client: TestClient, runtime: Runtime) -> None:
    claims = _claims(client, register(client))
    key = runtime.settings.signing_key
    for changed in ({"type": "refresh"}, {"aud": "someone-else"}, {"iss": "evil"}):
        forged = jwt.encode(claims | changed, key=key, algorithm="HS256")
        response = client.get("/auth/me", headers={"Authorization": f"Bearer {forged}"})
        assert response.status_code == 401, changed


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer not.a.jwt", "Basic dXNlcjpwYXNz"])
def test_missing_or_malformed_authorization_is_401(client: TestClient, header: str) -> None:
    response = client.get("/tasks", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"


def test_token_of_a_deleted_user_is_refused(client: TestClient) -> None:
    tokens = register(client)
    user_id = tokens["user"]["id"]
    assert client.delete(f"/users/{user_id}", headers=bearer(tokens)).status_code == 204
    assert client.get("/auth/me", headers=bearer(tokens)).status_code == 401
    assert refresh(client, tokens["refreshToken"]).status_code == 401


def test_user_id_in_token_that_never_existed_is_refused(
    client: TestClient, runtime: Runtime
) -> None:
    claims = _claims(client, register(client)) | {"sub": str(uuid.uuid4())}
    forged = jwt.encode(claims, key=runtime.settings.signing_key, algorithm="HS256")
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_a_hash_with_older_parameters_is_replaced_at_the_next_login(
    client: TestClient, settings: Settings
) -> None:
    """Changing the Argon2 cost (as the defaults did, 19 MiB x 2 to 7 MiB x 5) reaches every
    stored hash: each is rehashed when its owner next logs in."""
    email = register(client)["user"]["email"]
    older = PasswordHasher(memory_cost=128, time_cost=2, parallelism=1, type=Type.ID)
    execute_sql(
        settings,
        update(User).where(User.email == email).values(password_hash=older.hash(TEST_PASSWORD)),
    )

    assert login(client, email).status_code == 200

    [(stored,)] = execute_sql(settings, select(User.password_hash).where(User.email == email))
    assert stored.startswith("$argon2id$v=19$m=64,t=1,p=1$")
    assert login(client, email).status_code == 200
    assert login(client, email, "not the password").status_code == 401
