#!/usr/bin/env python3
"""Verify a certificate's QR URL offline, with only Python and `cryptography` installed:

    python scripts/verify_certificate.py 'https://…/verify/WX2026-1-00012?d=…&k=…&sig=…' \\
        --keys wx-certificate-keys.json [--revocations wx-certificate-revocations.json]

It loads server/services/certificates/codec.py by path (not the Flask app), so it needs neither
the project's other dependencies nor a database nor a network. Exit 0 valid, 1 revoked, 2 invalid,
3 a keys or revocation file that cannot be read (missing, not JSON): nothing was checked."""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

CODEC = Path(__file__).resolve().parent.parent / "server" / "services" / "certificates" / "codec.py"


def load_codec():
    spec = importlib.util.spec_from_file_location("wx_certificate_codec", CODEC)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module          # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _read(path: str):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except ValueError as exc:
        exc.filename = path
        raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a 五小 certificate URL offline.")
    parser.add_argument("url")
    parser.add_argument("--keys", required=True, help="saved /.well-known/wx-certificate-keys.json")
    parser.add_argument("--revocations", help="saved /.well-known/wx-certificate-revocations.json")
    args = parser.parse_args(argv)
    codec = load_codec()
    try:
        keys = _read(args.keys)
        revocations = _read(args.revocations) if args.revocations else None
    except (OSError, ValueError) as exc:       # ValueError: not UTF-8, not JSON
        print(f"无法读取文件，未核验 / cannot read the file, nothing checked: {exc.filename or ''} {exc}",
              file=sys.stderr)
        return 3
    result = codec.verify_url(args.url, keys, revocations)
    out = {"status": result.status, "reason": result.reason or None, "key": result.kid}
    if result.payload is not None and result.status != "invalid":
        p = result.payload
        out.update(serial=p.serial, holder=p.holder, title=p.title, award=p.award, season=p.season_id,
                   issued_on=p.issued_on.isoformat())
    if result.revoked:
        out["revoked"] = result.revoked
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return {"valid": 0, "revoked": 1}.get(result.status, 2)


if __name__ == "__main__":
    sys.exit(main())
