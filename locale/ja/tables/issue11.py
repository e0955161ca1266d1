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
    # What a schedule may be (T29)
    "The form sent more values than HERP accepts at once, for example more participants than an interview may "
    "have. Go back, choose fewer, and save again.": (
        "一度に送信できる項目の数を超えています（面接の参加者を選びすぎた場合など）。前の画面に戻り、数を減らしてから保存してください。"
    ),
    "The form sent more data than HERP accepts at once. Go back, shorten what you entered, and try again.": (
        "一度に送信できるデータの量を超えています。前の画面に戻り、入力内容を短くしてからもう一度お試しください。"
    ),
    "An interview can be scheduled at most one year ahead, until %(date)s.": (
        "面接の予定は1年先（%(date)s）まで登録できます。"
    ),
    "A Zoom interview must start in the future, so that its URL can still be used. To record an interview that "
    "already took place, choose On-site or Other as the location.": (
        "Zoomの面接は、URLを使えるように、これからの日時で登録してください。すでに実施した面接を記録する場合は、場所に「対面」または「その他」を選んでください。"
    ),
    "An interview that took place more than a year ago cannot be recorded.": (
        "1年以上前に実施した面接は登録できません。"
    ),
    "An interview can have at most %(limit)d participants (%(count)d were chosen). Choose fewer participants.": (
        "面接の参加者は%(limit)d人までです（%(count)d人が選ばれています）。参加者を減らしてください。"
    ),
    "An interview lasts between %(min)d and %(max)d minutes.": (
        "面接の時間は%(min)d分から%(max)d分までで入力してください。"
    ),
    # Messages in HR words (item 8)
    "Nobody can host this Zoom interview: no participant has linked Zoom, and %(name)s, who connected your "
    "company's Zoom, can no longer host because their Zoom authorization has ended. Ask an admin to reconnect "
    "Zoom in External service integration, ask a participant to link Zoom in External service accounts, or "
    "choose another location.": (
        "このZoom面接のホストになれる人がいません。Zoomを連携している参加者がおらず、企業のZoomを連携した"
        "%(name)s もZoomの認可が切れているためホストになれません。管理者に外部サービス連携でZoomを再連携して"
        "もらうか、参加者に外部サービスアカウントでZoomを連携してもらうか、別の場所を選んでください。"
    ),
    "%(name)s hosts: several participants have linked Zoom, and the host is the one whose Zoom link was set up "
    "in HERP first (HERP picks the smallest of the IDs it keeps for each link). The others become alternative "
    "hosts.": (
        "%(name)s がホストです：Zoomを連携している参加者が複数いるため、HERP のサービス内で管理している ID が"
        "若い方（HERPで先にZoomを連携した方）がホストになります。ほかの人は代替ホストになります。"
    ),
    "Nobody can host: no participant has linked Zoom, and %(name)s, who connected your company's Zoom, can no "
    "longer host because their Zoom authorization has ended. An admin reconnects Zoom in External service "
    "integration, or a participant links Zoom in External service accounts.": (
        "ホストになれる人がいません：Zoomを連携している参加者がおらず、企業のZoomを連携した %(name)s もZoomの"
        "認可が切れているためホストになれません。管理者が外部サービス連携でZoomを再連携するか、参加者が外部"
        "サービスアカウントでZoomを連携してください。"
    ),
    "The host changed: the previous host's meeting is being deleted in Zoom.": (
        "ホストが変わりました。前のホストのミーティングをZoomで削除しています。"
    ),
    "The host changed, and the previous host's meeting could not be deleted in Zoom. It may still be in their "
    "Zoom account: they can delete it there.": (
        "ホストが変わりましたが、前のホストのミーティングをZoomで削除できませんでした。前のホストのZoomアカウントに"
        "残っている場合は、Zoomで削除してください。"
    ),
}

JA_PLURAL: dict[str, list[str]] = {}
