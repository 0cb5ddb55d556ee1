"""The organisation awards of RULES.md (issue 18 items 5 and 6): the 优秀组织奖 sheet
(items.py computes, org_sheet.py keeps evidence, scores and the decision), 优胜单位 applications
(winners.py) and their 附件5 form (annex5.py); honours.py is where a decided award goes on to
its certificate."""
