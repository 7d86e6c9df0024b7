"""The 报表 page's parts: monthly returns (check, export, review), briefing, county completeness, meeting figures."""
