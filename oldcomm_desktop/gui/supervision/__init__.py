"""督办考核 (supervision) in the window: orders, rankings and 通报, the annual assessment, residents' requests,
and the schedules tab the 检查整改 page shows. Every figure comes from `core.supervision`."""
