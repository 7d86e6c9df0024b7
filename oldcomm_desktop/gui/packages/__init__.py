"""The 数据包 section of the 数据交换 page: export, import with a preview, conflicts, history, keys (core/sync)."""
