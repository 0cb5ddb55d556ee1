"""Certificates (issue 17): codec (QR payload, offline check), keys, issue, verify, revoke,
render. See README, 证书 / Certificates."""
