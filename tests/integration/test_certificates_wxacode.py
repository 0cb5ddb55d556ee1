"""Issue 17 item 3 (optional part): a valid certificate's page shows a mini-program code
(getwxacodeunlimit through the WeChat sandbox) whose scene is the serial (≤ 32 characters) and
whose page is the mini-program's check page; made once and kept; none for unknown, malformed
or revoked serials (and WeChat is not asked then)."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from server.extensions import db
from server.services.certificates import issue, verify
from server.services.certificates.revoke import revoke
from tests.factories import make_awarded, make_tree, make_user
from tests.qr import read_one_qr


@pytest.fixture(autouse=True)
def fresh_rate_counts(monkeypatch):
    monkeypatch.setattr(verify, "_counts", {})


def test_the_certificate_page_shows_a_mini_program_code_for_the_serial(client, ctx, wx):
    tree = make_tree()
    user = make_user("周华", ("participant", tree.unit))
    city = make_user("陈明", ("city_admin", tree.city))
    entries = [make_awarded(user, "second"), make_awarded(user, "third")]
    db.session.commit()
    cert, other = (issue.issue_for_entry(e.id) for e in entries)
    page = client.get(f"/verify/{cert.serial}")
    assert f'src="/verify/{cert.serial}/wxacode.png"' in page.text and "小程序" in page.text
    res = client.get(f"/verify/{cert.serial}/wxacode.png")
    assert res.status_code == 200 and res.mimetype == "image/png"
    decoded = read_one_qr(Image.open(io.BytesIO(res.data)))
    assert decoded == f"sandbox-wxacode:pages/certificates/verify?{cert.serial}"
    calls = wx.calls("getwxacodeunlimit")         # (two when a slow first answer was asked again)
    assert calls and all(c["data"]["scene"] == cert.serial and len(c["data"]["scene"]) <= 32 for c in calls)
    assert client.get(f"/verify/{cert.serial}/wxacode.png").data == res.data
    assert len(wx.calls("getwxacodeunlimit")) == len(calls)             # kept: WeChat not asked again
    revoke(city, other.serial, "经复核不符合条件")
    for serial in (other.serial, "WX2026-1-99999", "not-a-serial", "WX2026-1-00001' OR 1=1"):
        assert client.get(f"/verify/{serial}/wxacode.png").status_code == 404, serial
    assert len(wx.calls("getwxacodeunlimit")) == len(calls)
    assert "wxacode.png" not in client.get(f"/verify/{other.serial}").text
