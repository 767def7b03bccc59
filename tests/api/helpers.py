"""Helpers of the API tests."""

from rest_framework.test import APIClient

from api.models import ApiToken


def client_for(user, name="test") -> APIClient:
    """An API client that sends a new token of `user` (and asks for English messages)."""
    _token, secret = ApiToken.issue(user, name)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.secret = secret
    return client


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert body["message"]
    return body
