"""Reading a QR code back from a rendered certificate, as a phone's scanner does."""
from __future__ import annotations

import zxingcpp
from PIL import Image


def read_one_qr(image: Image.Image) -> str:
    """The text of the one QR code in the image. Only QR codes are looked for, as WeChat's
    scanner does: read for every format, zxing-cpp now and then also finds a one-dimensional
    code (a Codabar) along a column of a QR code's own modules — it happened to a unit
    certificate in a CI run — which is no second code on the certificate."""
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1, [(str(b.format), b.text[:60], str(b.position)) for b in found]
    return found[0].text
