"""Keeps a map page offline and says what it asked for: every request is recorded, and any that is not
a local file, a Qt resource or inline data is blocked. The selftest (qt/selftest.py) and the tests
check with it that the offline map asks nothing of the network."""
from __future__ import annotations

from PySide6.QtWebEngineCore import QWebEngineUrlRequestInterceptor

LOCAL_SCHEMES = ("file:", "qrc:", "data:")


class RequestRecorder(QWebEngineUrlRequestInterceptor):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def interceptRequest(self, info) -> None:  # noqa: N802
        url = info.requestUrl().toString()
        self.urls.append(url)
        if not url.startswith(LOCAL_SCHEMES):
            info.block(True)

    def remote(self) -> list[str]:
        """The requests that were for the network (all blocked)."""
        return [u for u in self.urls if not u.startswith(LOCAL_SCHEMES)]
