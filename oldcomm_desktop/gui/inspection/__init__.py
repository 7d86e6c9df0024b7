"""Widgets and dialogs of the 检查整改 page: checklist, photos, rectifications, reply and re-inspection."""
