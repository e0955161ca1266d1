"""Japanese for the strings added by issue 16 (bin/fill-translations locale/ja/tables/issue16.py)."""

JA = {
    " By %(filter_title)s ": " %(filter_title)s で絞り込む ",
    "Type a company name or id": "企業名またはIDを入力",
    "Find": "探す",
}
