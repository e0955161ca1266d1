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
    # The candidate menu of a company with many candidates (goal 9).
    (
        "The menu lists the %(count)s most recently added candidates. "
        "To find another, type their name or e-mail address:"
    ): (
        "一覧には最近登録した候補者%(count)s人を表示しています。ほかの候補者は、名前かメールアドレスで検索してください："
    ),
    "The menu now lists the candidates matching “%(query)s”: choose one, then save.": (
        "「%(query)s」に当てはまる候補者を一覧に表示しました。候補者を選んで保存してください。"
    ),
}
