"""Who may write, CSRF, rate and size limits, hostile text: the server's guard, on real requests."""

from __future__ import annotations

import html as html_lib
import re

from serving import make_client, wait_job

EASTGATE = "inc-2ada39a6589a"
NOTE = {"kind": "wrong", "incident": EASTGATE, "fact": 1}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def test_read_only_without_a_token_off_loopback(sqlite_filled):
    with make_client(sqlite_filled, host="0.0.0.0", client="192.0.2.7") as client:
        assert client.get("/api/incidents").status_code == 200
        refused = client.post("/api/annotations", json=NOTE)
        assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
        assert client.post("/api/reports", json={"text": "x"}).status_code == 403
        assert "read-only" in client.get("/add").text


def test_without_a_token_only_this_machine_writes(sqlite_filled):
    with make_client(sqlite_filled, host="127.0.0.1", client="192.0.2.7") as client:
        refused = client.post("/api/annotations", json=NOTE)
        assert refused.status_code == 403 and "this machine" in refused.json()["detail"]
    with make_client(sqlite_filled, host="127.0.0.1", client="127.0.0.1") as client:
        assert client.post("/api/annotations", json=NOTE).status_code == 201


def test_token(sqlite_filled, tmp_path):
    token = "s3cret-token-0123456789"
    with make_client(sqlite_filled, host="0.0.0.0", client="192.0.2.7", token=token) as client:
        missing = client.post("/api/annotations", json=NOTE)
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
        assert client.post("/api/annotations", json=NOTE, headers={"Authorization": "Bearer nope"}).status_code == 401
        made = client.post("/api/annotations", json=NOTE, headers={"Authorization": f"Bearer {token}"})
        assert made.status_code == 201 and made.json()["author"] == "admin"
    (tmp_path / "token").write_text(token + "\n", encoding="utf-8")
    with make_client(sqlite_filled, host="0.0.0.0", token_file=str(tmp_path / "token")) as client:
        assert client.post("/api/annotations", json=NOTE, headers={"Authorization": f"Bearer {token}"}).status_code == 201


def test_bad_token_file_is_one_clear_error(sqlite_filled, tmp_path):
    import pytest

    from corroborate.serve.security import ConfigError

    (tmp_path / "short").write_text("abc\n", encoding="utf-8")
    for path, words in ((tmp_path / "missing", "cannot read"), (tmp_path / "short", "at least 16")):
        with pytest.raises(ConfigError, match=words):
            make_client(sqlite_filled, token_file=str(path))


def test_sign_in_and_forms_need_the_csrf_token(sqlite_filled):
    token = "s3cret-token-0123456789"
    with make_client(sqlite_filled, host="0.0.0.0", client="192.0.2.7", token=token) as client:
        login = client.get("/login")
        csrf = csrf_of(login.text)
        assert client.post("/login", data={"token": "wrong", "csrf": csrf}).status_code == 401
        assert client.post("/login", data={"token": token, "csrf": "forged"}).status_code == 403
        signed = client.post("/login", data={"token": token, "csrf": csrf}, follow_redirects=False)
        assert signed.status_code == 303 and "corroborate_session" in signed.headers["set-cookie"]
        assert "httponly" in signed.headers["set-cookie"].lower() and "samesite=strict" in signed.headers["set-cookie"].lower()
        page = client.get(f"/incidents/{EASTGATE}")
        assert 'id="merge-form"' in page.text
        form = {"kind": "wrong", "fact": "1", "csrf": csrf_of(page.text)}
        assert client.post(f"/incidents/{EASTGATE}/annotations", data={**form, "csrf": ""}).status_code == 403
        stored = client.post(f"/incidents/{EASTGATE}/annotations", data=form, follow_redirects=False)
        assert stored.status_code == 303
        assert [a["kind"] for a in client.get("/api/annotations").json()] == ["wrong"]


def test_requests_from_another_site_are_refused(sqlite_filled):
    with make_client(sqlite_filled) as client:
        for headers in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}):
            refused = client.post("/api/annotations", json=NOTE, headers=headers)
            assert refused.status_code == 403 and "another site" in refused.json()["detail"], headers
        same = client.post("/api/annotations", json=NOTE, headers={"Origin": "http://127.0.0.1:8000"})
        assert same.status_code == 201


def test_rate_limit_on_writes(sqlite_filled):
    with make_client(sqlite_filled, write_rate="3/minute") as client:
        codes = [client.post("/api/annotations", json=NOTE).status_code for _ in range(4)]
        assert codes == [201, 201, 201, 429]
        limited = client.post("/api/annotations", json=NOTE)
        assert int(limited.headers["retry-after"]) >= 1 and "at most 3/minute" in limited.json()["detail"]
        assert client.get("/api/annotations").status_code == 200  # reads are not limited


def test_upload_limits(sqlite_filled):
    with make_client(sqlite_filled, max_upload_files=2, max_upload_bytes=2000) as client:
        three = [("file", (f"r{k}.txt", b"Two people were hurt in a fire.", "text/plain")) for k in range(3)]
        too_many = client.post("/api/reports", files=three)
        assert too_many.status_code == 422 and "Too many files" in too_many.json()["detail"], too_many.text
        big = client.post("/api/reports", json={"text": "word " * 1000})
        assert big.status_code == 413 and "2000 bytes" in big.json()["detail"]
        large_files = [("file", ("a.txt", b"x" * 1500, "text/plain")), ("file", ("b.txt", b"y" * 1500, "text/plain"))]
        assert client.post("/api/reports", files=large_files).status_code == 413


HOSTILE = ('<script>alert(1)</script> Two people were killed in a shooting at the "Grand" hotel in Millbrook, police '
           'said. <img src=x onerror=alert(2)> "><svg onload=alert(3)> javascript:alert(4) {{ 7*7 }} =SUM(A1)')


def test_hostile_text_is_escaped_everywhere(sqlite_filled):
    with make_client(sqlite_filled) as client:
        job = wait_job(client, client.post("/api/reports", json={"text": HOSTILE, "id": "<b>hostile</b>",
                                                                 "title": "<script>alert(5)</script>",
                                                                 "source": "<i>Evil</i> Wire"}).json()["href"])
        assert job["status"] == "done", job
        pages = [client.get("/reports/%3Cb%3Ehostile%3C%2Fb%3E"), client.get("/outlets"),
                 client.get("/", params={"q": "<script>alert(6)</script>"}),
                 client.get("/jobs/" + job["id"])]
        incident = job["reports"][0]["incident"]
        if incident:
            pages.append(client.get(f"/incidents/{incident}"))
        for response in pages:
            assert response.status_code == 200, response.url
            html = response.text
            assert "<script>alert" not in html and "<img src=x" not in html and "<svg onload" not in html
            assert "<b>hostile" not in html and "<i>Evil" not in html
        shown = re.search(r'<div class="text" id="text">(.*?)</div>', pages[0].text, re.DOTALL)
        assert shown and html_lib.unescape(re.sub(r"<[^>]+>", "", shown.group(1))) == HOSTILE  # shown as text, verbatim
        assert 'value="&lt;script&gt;alert(6)&lt;/script&gt;"' in pages[2].text
