"""Where a decided award goes on to its honour (RULES.md: winning units and organisation-award
winners get a certificate and a plaque, 证书、牌匾). The certificates service (issue 17) issues
certificates for an organisation holder; this module is the one place the awards call it.

    award_decided(kind, *, season_id, org_id, award_id, decided_by_id)
kind: "org_award" (优秀组织奖, award_id = OrgAwardSheet.id) or "winning_unit" (优胜单位,
award_id = WinnerApplication.id). Called inside the deciding transaction, before its commit.
Until the certificates side exists it records nothing more than the decision's own audit row."""
from __future__ import annotations

KINDS = ("org_award", "winning_unit")


def award_decided(kind: str, *, season_id: int, org_id: int, award_id: int, decided_by_id: int) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown award kind {kind!r}")
    # Wired at merge: certificates.issue_for_org_award(kind=kind, season_id=season_id, org_id=org_id,
    # award_id=award_id, actor_id=decided_by_id) — see the issue 18 (h18a) report.
    return None
