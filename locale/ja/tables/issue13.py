# ruff: noqa: E501  (prose: Japanese lines are wider than they look)
"""Japanese for issue 13 (全体設定 › メンバー, set-password links, people leaving, the schedule list).

Applied with ``bin/fill-translations locale/ja/tables/issue13.py`` after ``make messages``.
"""

JA = {
    # The members page
    "Settings › Members": "全体設定 › メンバー",
    "Invite people, choose who is an admin, and deactivate people who leave.": "メンバーを招待し、管理者を決め、退職した人を無効にします。",
    "Members": "メンバー",
    "Back to Members": "メンバーに戻る",
    "Invite a member": "メンバーを招待",
    "Name (optional)": "氏名（任意）",
    "Language of the invitation": "招待メールの言語",
    "Send the invitation": "招待メールを送る",
    "Invitations waiting": "招待中",
    "Invitation to join": "招待",
    "Sent on": "送信日",
    "State": "状態",
    "Not sent": "未送信",
    "Expired": "期限切れ",
    "Waiting (until %(when)s)": "返事待ち（%(when)sまで）",
    "Withdraw": "取り消す",
    "Search by name or e-mail": "氏名またはメールアドレスで検索",
    "Search": "検索",
    "Name": "氏名",
    "you": "あなた",
    "Change": "変更",
    "Deactivated": "無効",
    "Password not set yet": "パスワード未設定",
    "Send a set-password link": "パスワード設定リンクを送る",
    "Reactivate": "有効に戻す",
    "Deactivate": "無効にする",
    "Nobody matches this search.": "該当するメンバーはいません。",
    "Previous": "前へ",
    "Next": "次へ",
    "The only active admin: to change their role or deactivate them, make another member an admin first.": (
        "唯一の有効な管理者です。権限の変更や無効化をするには、先に別のメンバーを管理者にしてください。"
    ),
    # What the page says after an action
    "%(email)s is already a member of your company.": "%(email)s はすでに貴社のメンバーです。",
    "%(email)s is a deactivated member of your company: reactivate them instead.": (
        "%(email)s は無効にした貴社のメンバーです。招待ではなく、一覧の「有効に戻す」を使ってください。"
    ),
    "Only active members of a company can get a set-password link.": "パスワード設定リンクを送れるのは、有効なメンバーだけです。",
    "%(name)s is the only active admin of your company, so they cannot be deactivated: nobody could manage members or Zoom any more. Make another member an admin first.": (
        "%(name)sさんは貴社で唯一の有効な管理者のため、無効にできません。無効にすると、メンバーやZoom連携を管理できる人がいなくなります。先に別のメンバーを管理者にしてください。"
    ),
    "%(name)s is the only active admin of your company, so they cannot stop being an admin: nobody could manage members or Zoom any more. Make another member an admin first.": (
        "%(name)sさんは貴社で唯一の有効な管理者のため、権限を変更できません。変更すると、メンバーやZoom連携を管理できる人がいなくなります。先に別のメンバーを管理者にしてください。"
    ),
    "Choose a role.": "権限を選んでください。",
    "Only members of a company can be deactivated here.": "ここで無効にできるのは、企業のメンバーだけです。",
    "Invitation sent to %(email)s. The link works for %(days)d days.": "%(email)s に招待メールを送りました。リンクの有効期限は%(days)d日間です。",
    "The e-mail to %(email)s could not be sent (%(error)s). Press “Resend” to try again.": (
        "%(email)s へのメールを送信できませんでした（%(error)s）。「再送」で送り直せます。"
    ),
    "This invitation was already used or withdrawn.": "この招待はすでに使われたか、取り消されています。",
    "Invitation sent again to %(email)s. The earlier link no longer works.": "%(email)s に招待メールを再送しました。以前のリンクは使えなくなりました。",
    "The invitation to %(email)s was withdrawn.": "%(email)s への招待を取り消しました。",
    "%(name)s is now: %(role)s.": "%(name)sさんの権限を「%(role)s」にしました。",
    "%(name)s was deactivated. Their upcoming interviews were planned again and everyone concerned is being told.": (
        "%(name)sさんを無効にしました。今後の面接はホストと面接担当を組み直し、関係者に変更をお知らせしています。"
    ),
    "%(name)s can sign in again. They link their Zoom again in External service accounts.": (
        "%(name)sさんは再びログインできます。Zoomは「外部サービスアカウント」でもう一度連携してもらってください。"
    ),
    "A link to set a new password was sent to %(email)s. It works for %(days)d days.": (
        "%(email)s にパスワード設定リンクを送りました。有効期限は%(days)d日間です。"
    ),
    # Deactivating: the confirmation
    "Deactivate %(name)s": "%(name)sさんを無効にする",
    "Deactivate %(name)s?": "%(name)sさんを無効にしますか？",
    "They can no longer sign in, and links HERP sent them stop working.": "HERPにログインできなくなり、HERPから送ったリンクも使えなくなります。",
    "You can reactivate them later: they sign in with their password again, and link their Zoom again.": (
        "あとで有効に戻すこともできます。その場合はこれまでのパスワードでログインでき、Zoomはもう一度連携してもらいます。"
    ),
    "This is you: you will be signed out at once.": "あなた自身です。無効にすると、すぐにログアウトします。",
    "%(name)s connected your company's Zoom: their Zoom user stops hosting interviews that no linked participant can host, and the connection shows “reconnect” until another admin connects Zoom again. Everyone's own Zoom links keep working.": (
        "%(name)sさんは貴社のZoomを連携した人です。Zoomを連携している参加者がいない面接を、そのZoomユーザーがホストすることはなくなり、別の管理者がZoomを連携し直すまで「外部サービス連携」に再連携が必要と表示されます。各自のZoom連携はそのまま使えます。"
    ),
    "Their Zoom link (%(email)s) is removed: their Zoom user no longer hosts interviews in HERP.": (
        "Zoom連携（%(email)s）を解除します。そのZoomユーザーがHERPの面接をホストすることはなくなります。"
    ),
    # Set-password links: the page
    "Set your password": "パスワードの設定",
    "Set the password": "パスワードを設定する",
    "Your name": "氏名",
    "Password": "パスワード",
    "Password (again)": "パスワード（確認）",
    "The two passwords differ.": "確認用のパスワードが一致しません。",
    "You were invited to %(company)s in HERP. Set your password to join.": "HERPの%(company)sに招待されています。パスワードを設定して参加してください。",
    "Set a new password for your HERP account at %(company)s.": "%(company)sのHERPアカウントのパスワードを設定してください。",
    "Your password is set. Welcome to HERP.": "パスワードを設定しました。HERPへようこそ。",
    "This link does not work": "このリンクは使えません",
    "The link is incomplete or was never issued. Open it again from the e-mail, or ask an admin of your company for a new one.": (
        "リンクが途中で切れているか、発行されていないものです。メールからもう一度開くか、管理者に新しいリンクを依頼してください。"
    ),
    "The link has expired. Ask an admin of your company to send a new one.": "リンクの有効期限が切れています。管理者に新しいリンクを依頼してください。",
    "The link was already used: your password is set. Sign in with it.": "このリンクはすでに使われています（パスワードは設定済みです）。そのパスワードでログインしてください。",
    "The link no longer works: a newer one was sent, the invitation was withdrawn, or the account was deactivated. Ask an admin of your company.": (
        "このリンクは使えなくなりました。新しいリンクが送られたか、招待が取り消されたか、アカウントが無効になっています。管理者にお問い合わせください。"
    ),
    "This e-mail address already has a HERP account with another company, and an address can belong to one company only. Ask the person who invited you to invite another address of yours.": (
        "このメールアドレスは、すでに別の企業のHERPアカウントで使われています。1つのメールアドレスは1つの企業でしか使えません。招待した方に、別のメールアドレスで招待し直してもらってください。"
    ),
    # Set-password links: the e-mails
    "[HERP] Set your password": "【HERP】パスワード設定のご案内",
    "A link to set your password for %(company)s in HERP, the applicant tracking system:\n\n%(url)s\n\nThe link works once, until %(expires)s. If it has expired, ask an admin of %(company)s for a new one.\nIf you did not expect this e-mail, you can ignore it: your password stays as it is.": (
        "HERP（採用管理システム）の%(company)sで使うパスワードを、次のリンクから設定してください。\n\n%(url)s\n\n"
        "このリンクは一度だけ、%(expires)sまで使えます。期限が切れた場合は、%(company)sの管理者に新しいリンクを依頼してください。\n"
        "お心当たりがない場合は、このメールを破棄してください。パスワードは変わりません。"
    ),
    "A link to set your password for %(company)s in HERP, the applicant tracking system:\n\n%(url)s\n\nThe link works once, until %(expires)s. If it has expired, ask whoever set HERP up for you for a new one.\nIf you did not expect this e-mail, you can ignore it.": (
        "HERP（採用管理システム）の%(company)sで使うパスワードを、次のリンクから設定してください。\n\n%(url)s\n\n"
        "このリンクは一度だけ、%(expires)sまで使えます。期限が切れた場合は、HERPの導入を担当した方に新しいリンクを依頼してください。\n"
        "お心当たりがない場合は、このメールを破棄してください。"
    ),
    "[HERP] %(company)s invited you": "【HERP】%(company)sから招待が届いています",
    "%(inviter)s invited you to join %(company)s in HERP, the applicant tracking system.\n\nSet your password here to start:\n%(url)s\n\nThe link works once, until %(expires)s. If it has expired, ask %(inviter)s to send the invitation again.\nIf you did not expect this invitation, you can ignore this e-mail.": (
        "%(inviter)sさんが、HERP（採用管理システム）の%(company)sにあなたを招待しました。\n\n"
        "次のリンクからパスワードを設定すると、利用を開始できます。\n%(url)s\n\n"
        "このリンクは一度だけ、%(expires)sまで使えます。期限が切れた場合は、%(inviter)sさんに招待の再送を依頼してください。\n"
        "お心当たりがない場合は、このメールを破棄してください。"
    ),
    "%(inviter)s invited this e-mail address to join %(company)s in HERP, the applicant tracking system.\n\nThis address already has a HERP account with another company, and an address can belong to one company only, so this invitation cannot make an account. If you want to join %(company)s, reply to %(inviter)s with another address of yours.\nYour existing account is not changed.": (
        "%(inviter)sさんが、このメールアドレスをHERP（採用管理システム）の%(company)sに招待しました。\n\n"
        "このメールアドレスは、すでに別の企業のHERPアカウントで使われています。1つのメールアドレスは1つの企業でしか使えないため、"
        "この招待ではアカウントを作成できません。%(company)sに参加する場合は、別のメールアドレスを%(inviter)sさんにお伝えください。\n"
        "既存のアカウントには何も変更はありません。"
    ),
    # The model, for support staff
    "Set-password link": "パスワード設定リンク",
    "sent by": "送信者",
    "token hash": "トークンのハッシュ値",
    "expires at": "有効期限",
    "used at": "使用日時",
    "revoked at": "取り消し日時",
    "sending failed": "送信エラー",
    "password link": "パスワード設定リンク",
    "password links": "パスワード設定リンク",
    "host left at": "ホスト不在になった日時",
    "host who left": "離れたホスト",
    # People leaving
    "The person who connected Zoom was deactivated in HERP (or their account was deleted).": (
        "Zoomを連携した人が、HERPで無効になりました（またはアカウントが削除されました）。"
    ),
    "Nobody can host %(title)s any more": "「%(title)s」をホストできる人がいなくなりました",
    "%(name)s left HERP (their account was deactivated). They hosted the Zoom meeting of this interview, and nobody else can host it: no other participant has linked Zoom, and your company's Zoom connection cannot host it either. The meeting stays as it was in %(name)s's Zoom account, so the URL people have works until a Zoom admin removes that Zoom user. To give the interview a host, open it, press Edit and add a participant who linked Zoom (or ask an admin to reconnect Zoom in External service integration).": (
        "%(name)sさんがHERPを離れました（アカウントが無効になりました）。この面接のZoomミーティングはこの方がホストしていましたが、"
        "ほかにホストできる人がいません。Zoomを連携している参加者がおらず、貴社のZoom連携でもホストできないためです。"
        "ミーティングは%(name)sさんのZoomアカウントにそのまま残っており、Zoomの管理者がそのZoomユーザーを削除するまでは、お送り済みのURLで参加できます。"
        "ホストを決めるには、面接を開いて「編集」から、Zoomを連携している参加者を追加してください（または、管理者に「外部サービス連携」でZoomを連携し直してもらってください）。"
    ),
    "Nobody can host: no participant has linked Zoom, and %(name)s, who connected your company's Zoom, has left HERP. An admin reconnects Zoom in External service integration, or a participant links Zoom in External service accounts.": (
        "ホストできる人がいません。Zoomを連携している参加者がおらず、貴社のZoomを連携した%(name)sさんはHERPを離れています。"
        "管理者が「外部サービス連携」でZoomを連携し直すか、参加者が「外部サービスアカウント」でZoomを連携してください。"
    ),
    "Nobody can host this interview": "この面接をホストできる人がいません",
    "Deleting a person first deactivates them as a company admin would: their Zoom link stops, their upcoming interviews get a new host by the usual rule (those nobody else can host are flagged and their creators told), everyone concerned is e-mailed, and if they connected the company's Zoom the connection asks for a reconnect. Their meetings stay known to HERP, so none is left behind in Zoom. Interviews, sent messages and the audit log are kept and no longer name the account.": (
        "ユーザーを削除すると、まず企業の管理者が無効にしたときと同じ処理が行われます。Zoom連携を止め、今後の面接のホストを通常のルールで選び直し"
        "（ほかにホストできる人がいない面接には印を付けて作成者に知らせます）、関係者にメールし、その人が企業のZoomを連携していた場合は再連携が必要な状態にします。"
        "ミーティングはHERPが管理したままなので、Zoomに取り残されるミーティングはありません。面接、送信済みのメッセージ、監査ログは残り、このアカウントとのつながりだけが外れます。"
    ),
    # The schedule list
    "Past": "過去",
    "Date and time": "日時",
    "Candidate's name": "候補者名",
    "Only interviews I take part in or created": "自分が参加・作成した面接のみ",
    "No host": "ホスト不在",
    "No interview matches this search.": "該当する面接はありません。",
    "No past interviews.": "過去の面接はありません。",
    "No cancelled interviews.": "キャンセルした面接はありません。",
}

JA_PLURAL = {
    "[HERP] Nobody can host %(count)d interview any more": ["【HERP】ホストできる人がいない面接が%(count)d件あります"],
    "They leave %(count)d upcoming interview: its host is chosen again with the usual rule (the next participant who linked Zoom, else the person who connected Zoom), and everyone concerned gets the update by e-mail. If nobody else can host it, the interview is flagged and its creator told.": [
        "今後の面接%(count)d件から外れます。それぞれのホストは通常のルール（Zoomを連携している次の参加者、いなければZoomを連携した人）で選び直され、"
        "関係者には変更をメールでお知らせします。ほかにホストできる人がいない面接には印が付き、作成者にお知らせします。"
    ],
    "HERP e-mails them a link to set their password. The link works once, for %(days)s day; they join your company when they set their password.": [
        "パスワードを設定するためのリンクをメールでお送りします。リンクは一度だけ、%(days)s日間使えます。パスワードを設定した時点で貴社のメンバーになります。"
    ],
}
