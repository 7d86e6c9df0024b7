"""数据交换 → 导入台账: the GUI face of core/importing (choose file and sheet, map, dry run, import)."""
