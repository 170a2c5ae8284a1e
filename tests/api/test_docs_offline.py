"""/docs (Swagger UI) and /redoc load every script, style and icon from this server:
no CDN, no remote script (issue 9), and they work on a network without the internet."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

ASSET = re.compile(r'(?:src|href)="([^"]+)"')


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_api_documentation_needs_nothing_from_elsewhere(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    html = response.text
    assert "http://" not in html
    assert "https://" not in html  # no CDN (cdn.jsdelivr.net), no remote icon or font
    assets = ASSET.findall(html)
    assert any(a.endswith(".js") for a in assets)
    for asset in assets:
        assert asset.startswith("/"), asset
        loaded = client.get(asset)
        assert loaded.status_code == 200, asset
        assert loaded.content


def test_swagger_ui_asks_no_remote_validator(client: TestClient) -> None:
    assert '"validatorUrl": null' in client.get("/docs").text
