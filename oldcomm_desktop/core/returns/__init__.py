"""Returns sent upward (报表): the four monthly returns, their checks, review rounds and the meeting briefing.

- `periods`: the month a return is for, cumulative from January (1–N 月), and its due day.
- `figures`: the numbers as of a period's end, from dated records (milestones, completed-investment entries).
- `layouts`: the four returns' columns and row builders, grouped with 小计 / 合计.
- `printing`: exact values → the written numbers (万元 2 places, 万平方米 4), totals as sums of written rows.
- `templates`: filling a county's .xlsx template (markers), streamed row by row.
- `checks`: the rules run before a return is submitted (审核).
- `review`: submissions, review rounds, archive, comparison, locking and county completeness.
- `briefing`: the meeting briefing (工作汇报) with speech rounding.
"""

KINDS: dict[str, str] = {
    "progress": "进度月报表",
    "items": "改造内容及成效指标表",
    "funding": "资金到位及完成投资表",
    "rectification": "检查及整改情况表",
}
