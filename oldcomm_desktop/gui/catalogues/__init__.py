"""The catalogues a county keeps (设置 › 改造内容目录 …), each a list on the list-page kit."""
