"""Japanese for the strings added by issue 16 (bin/fill-translations locale/ja/tables/issue16.py)."""

JA = {
    " By %(filter_title)s ": " %(filter_title)s で絞り込む ",
    "Type a company name or id": "企業名またはIDを入力",
    "Find": "探す",
    "Add a participant: type a name or e-mail address": "参加者を追加：名前またはメールアドレスを入力",
    "Search": "検索",
    "People matching “%(query)s” are listed above: tick who takes part, then save.": (
        "「%(query)s」に当てはまる人を上に表示しました。参加する人にチェックを入れて保存してください。"
    ),
}
