"""The 小区台账 page's parts: the detail panel's tabs (timeline, items, money, inspections) and its dialogs."""
