"""Japanese for issue 11 (hardening). Apply with `bin/fill-translations locale/ja/tables/issue11.py`
after `make messages`."""

JA = {
    # Login throttling (T31)
    "Sign-in paused": "ログインを一時停止しています",
    "Too many failed sign-in attempts. For your security, signing in with this e-mail address from this device is "
    "paused for %(minutes)d minutes. Try again later. If you cannot wait, ask HERP support to lift the pause.": (
        "ログインに続けて失敗したため、安全のため、このメールアドレスでのこの端末からのログインを%(minutes)d分間停止しています。"
        "しばらくしてからもう一度お試しください。お急ぎの場合は、HERPのサポートに停止の解除を依頼してください。"
    ),
    "Back to sign in": "ログイン画面に戻る",
}

JA_PLURAL: dict[str, list[str]] = {}
