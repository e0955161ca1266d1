"""Japanese for the strings added by issue 10 (bin/fill-translations locale/ja/tables/issue10.py)."""

JA = {
    "Zoom no longer accepts the authorization (its refresh was refused).": (
        "Zoomがこの連携を受け付けなくなりました（認可の更新が拒否されました）。"
    ),
    "Zoom refused the authorization's tokens.": "Zoomがこの連携での操作を受け付けませんでした。",
    "The HERP app was removed from the Zoom user's apps in Zoom.": "ZoomでHERPのアプリが削除されました。",
    "The Zoom user is no longer in the company's Zoom account.": (
        "このZoomユーザーは、会社のZoomアカウントに所属していません。"
    ),
    "Nothing in HERP uses the authorization any more.": "HERPではこの連携を使わなくなりました。",
    "Another problem (see the details).": "その他の問題です（詳細をご覧ください）。",
    "revision last sent as an update": "更新として最後に送った版",
}
