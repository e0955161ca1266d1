# ruff: noqa: E501  (prose: Japanese lines are wider than they look)
"""Japanese for issue 12 (invitations, people's language and time zone, the candidate template).

Applied with ``bin/fill-translations locale/ja/tables/issue12.py`` after ``make messages``.
"""

JA = {
    # People's language and time zone
    "Language": "言語",
    "language": "言語",
    "Your language and time zone were saved.": "言語とタイムゾーンを保存しました。",
    "Language and time zone": "言語とタイムゾーン",
    "HERP's pages and every e-mail HERP sends you (interview invitations included) use this language, and show "
    "times in this time zone.": "HERPの画面と、HERPからあなたに届くすべてのメール（面接の案内を含む）は、この言語で表示され、"
    "時刻はこのタイムゾーンで示されます。",
    # Navigation and the template page
    "Settings › Messages to candidates": "全体設定 › 候補者へのメッセージ",
    "The e-mail candidates get with their interview's Zoom URL and calendar event.": (
        "面接のZoom URLとカレンダーの予定を候補者にお送りするメールの文面です。"
    ),
    "Messages to candidates": "候補者へのメッセージ",
    "Candidates of a Zoom interview get this e-mail with its calendar event as soon as its Zoom URL exists, and "
    "again, marked as an update, when its date, time, URL or interviewers change. Cancellations use HERP's own "
    "words.": "Zoomで行う面接では、Zoom URLが発行されるとすぐに、この文面のメールがカレンダーの予定とともに候補者に届きます。"
    "日時・URL・面接担当が変わったときは、変更のお知らせとして改めて届きます。キャンセルのお知らせはHERPの定型文です。",
    "Each candidate gets the message in their own language.": "候補者には、その候補者の言語の文面が届きます。",
    "Your company's message, last saved %(when)s.": "貴社の文面です（最終保存: %(when)s）。",
    "HERP's default message. Change it and save to use your own.": (
        "HERPの標準の文面です。書き換えて保存すると、貴社の文面が使われます。"
    ),
    "At most %(subject_max)s characters in one line for the subject, %(body_max)s for the body.": (
        "件名は1行で%(subject_max)s文字まで、本文は%(body_max)s文字までです。"
    ),
    "Use HERP's default again": "HERPの標準の文面に戻す",
    "Placeholders": "差し込み項目",
    "Write them with their braces; each is replaced by the interview's value. Nothing else in braces is accepted.": (
        "波かっこごと書いてください。送信時に、その面接の内容に置き換わります。これ以外の波かっこの書き方は使えません。"
    ),
    "Preview": "プレビュー",
    "With sample values. The preview follows what you type; it is shown to company admins only.": (
        "見本の値で表示しています。入力に合わせて更新されます。プレビューは管理者だけに表示されます。"
    ),
    "Subject:": "件名:",
    "Subject": "件名",
    "Body": "本文",
    "subject": "件名",
    "body": "本文",
    "updated by": "更新者",
    "candidate message template": "候補者へのメッセージ",
    "candidate message templates": "候補者へのメッセージ",
    "The candidate's name": "候補者の氏名",
    "Your company's name": "貴社の会社名",
    "The interview's title": "選考予定のタイトル",
    "Date and time: weekday, start and end (also in the candidate's time zone when it differs)": (
        "日時（曜日・開始と終了。候補者のタイムゾーンが異なる場合はその時刻も）"
    ),
    "Zoom join URL (passcode included)": "Zoomの参加URL（パスコード込み）",
    "Zoom meeting ID": "ZoomのミーティングID",
    "Zoom passcode": "Zoomのパスコード",
    "Interviewers' names": "面接担当者の氏名",
    "Enter a subject.": "件名を入力してください。",
    "The subject must be one line.": "件名は1行で入力してください（改行は使えません）。",
    "The subject is too long (at most %(max)d characters).": "件名が長すぎます（%(max)d文字まで）。",
    "Enter a body.": "本文を入力してください。",
    "The body is too long (at most %(max)d characters).": "本文が長すぎます（%(max)d文字まで）。",
    "%(placeholder)s is not a placeholder. Use only the placeholders listed.": (
        "%(placeholder)s という差し込み項目はありません。一覧にある差し込み項目だけを使ってください。"
    ),
    "Put {%(name)s} in the body: the candidate needs it to join.": (
        "本文に {%(name)s} を入れてください。候補者が面接に参加するために必要です。"
    ),
    "There is nothing to send again to this person right now.": "この方に再送できるメールは、いまはありません。",
    "The current version is being sent again to %(name)s.": "%(name)s さんに最新の案内を再送しています。",
    "HERP's default message is used again.": "HERPの標準の文面に戻しました。",
    "The message to candidates was saved. New invitations and updates use it.": (
        "候補者へのメッセージを保存しました。これから送る案内と変更のお知らせに使われます。"
    ),
    "Hanako Yamada": "山田 花子",
    "First interview": "一次面接",
    "Ichiro Sato": "佐藤 一郎",
    "Jiro Suzuki": "鈴木 二郎",
    # The schedule form
    "Language of the candidate's e-mails": "候補者へのメールの言語",
    "Candidate's time zone": "候補者のタイムゾーン",
    "Do not e-mail the candidate (you write to them yourself)": "候補者にはメールを送らない（自分で連絡する）",
    "Same as the interview": "面接と同じ",
    "Normally HERP e-mails the candidate the invitation with a calendar event, its updates and a cancellation. Tick "
    "this when you write to them yourself: HERP then sends the candidate nothing for this interview. The "
    "participants are always told.": "通常、HERPは候補者に案内メール（カレンダーの予定つき）と、変更・キャンセルのお知らせを送ります。"
    "候補者にはご自身で連絡する場合はチェックを入れてください。この選考予定について、HERPは候補者に何も送りません。"
    "参加者にはいつも送ります。",
    "e-mail the candidate": "候補者へのメール",
    # Dates and times
    "Japan time": "日本時間",
    "In your time zone: %(when)s": "ご登録のタイムゾーンでは: %(when)s",
    # Models
    "calendar event UID": "カレンダーの予定のUID",
    "last calendar sequence": "最後のカレンダー版番号",
    "URL changed at": "URLの変更日時",
    "invitation": "案内",
    "invitations": "案内",
    "Participant": "参加者",
    "Invitation": "案内",
    "Update": "変更のお知らせ",
    "Cancellation": "キャンセルのお知らせ",
    "Waiting to be sent": "送信待ち",
    "Being sent": "送信中",
    "Sent": "送信済み",
    "Could not be sent": "送信できませんでした",
    "Replaced by a newer version before it was sent": "送信前に新しい版に置き換わりました",
    "The interview was cancelled": "面接がキャンセルされました",
    "No longer a participant": "参加者から外れました",
    "Another candidate was chosen": "別の候補者に変わりました",
    "recipient": "宛先",
    "recipient kind": "宛先の種類",
    "calendar sequence": "カレンダー版番号",
    "what changed": "変更点",
    "The mail server refused the address": "メールサーバーが宛先を受け付けませんでした",
    "The mail server could not be reached": "メールサーバーにつながりませんでした",
    "The mail server refused the message": "メールサーバーがメールを受け付けませんでした",
    "An unexpected error": "予期しないエラー",
    "sent at": "送信日時",
    "invitation message": "案内メール",
    "invitation messages": "案内メール",
    # The candidate's mails
    "[{company}] Interview invitation: {title}": "【{company}】{title}のご案内",
    "Dear {candidate_name},\n"
    "\n"
    "Thank you for your interest in {company}.\n"
    "We would like to invite you to an online interview on Zoom, as follows.\n"
    "\n"
    "Interview:\n"
    "{title}\n"
    "\n"
    "Date and time:\n"
    "{date_time}\n"
    "\n"
    "How to join:\n"
    "At the start time, please join from the link below.\n"
    "{join_url}\n"
    "\n"
    "Meeting ID: {meeting_id}\n"
    "Passcode: {passcode}\n"
    "\n"
    "Interviewers:\n"
    "{interviewers}\n"
    "\n"
    "The interview is attached as a calendar event.\n"
    "If you have any questions, please reply to this e-mail.\n"
    "\n"
    "We look forward to speaking with you.\n"
    "\n"
    "{company} Recruiting Team\n": "{candidate_name} 様\n"
    "\n"
    "このたびは{company}の選考にご応募いただき、誠にありがとうございます。\n"
    "下記のとおり、Zoomによるオンライン面接のご案内をお送りいたします。\n"
    "\n"
    "■ 選考内容\n"
    "{title}\n"
    "\n"
    "■ 日時\n"
    "{date_time}\n"
    "\n"
    "■ 参加方法\n"
    "開始時刻になりましたら、下記のURLからご参加ください。\n"
    "{join_url}\n"
    "\n"
    "ミーティングID: {meeting_id}\n"
    "パスコード: {passcode}\n"
    "\n"
    "■ 面接担当\n"
    "{interviewers}\n"
    "\n"
    "カレンダーに登録できる予定を添付しております。\n"
    "ご不明な点がございましたら、本メールにご返信ください。\n"
    "\n"
    "当日お会いできることを楽しみにしております。\n"
    "\n"
    "{company} 採用担当\n",
    "the date and time": "日時",
    "the place": "実施方法",
    "the Zoom URL": "ZoomのURL",
    "the interviewers": "面接担当",
    ", ": "・",
    "the details": "内容",
    "Updated: %(subject)s": "【変更】%(subject)s",
    "Please note: there is a change to your %(title)s (%(changes)s). This e-mail has the latest details.": (
        "※ 先日ご案内した%(title)sの%(changes)sが変更になりました。本メールが最新のご案内です。"
    ),
    "The Zoom link we sent earlier no longer works: please join from the link below.": (
        "以前お送りしたURLはご利用いただけなくなりましたので、必ず下記のURLからご参加ください。"
    ),
    "[%(company)s] Cancelled: %(title)s": "【%(company)s】%(title)sのキャンセルについて",
    "Dear %(candidate_name)s,\n"
    "\n"
    "This is the %(company)s Recruiting Team.\n"
    "We are sorry to let you know that your %(title)s, scheduled as below, has been cancelled.\n"
    "\n"
    "Date and time (cancelled):\n"
    "%(when)s\n"
    "\n"
    "This e-mail removes the event from your calendar.\n"
    "We will contact you separately about the next steps.\n"
    "\n"
    "%(company)s Recruiting Team\n": "%(candidate_name)s 様\n"
    "\n"
    "%(company)s 採用担当です。\n"
    "下記の日程でご案内しておりました%(title)sは、誠に勝手ながらキャンセルとさせていただくことになりました。\n"
    "ご予定を調整いただいていたところ、申し訳ございません。\n"
    "\n"
    "■ キャンセルとなった日時\n"
    "%(when)s\n"
    "\n"
    "カレンダーの予定は、本メールで取り消されます。\n"
    "今後の選考につきましては、担当者より改めてご連絡いたします。\n"
    "\n"
    "%(company)s 採用担当\n",
    "[%(company)s] Change of place: %(title)s": "【%(company)s】%(title)sの実施方法の変更について",
    "Dear %(candidate_name)s,\n"
    "\n"
    "This is the %(company)s Recruiting Team.\n"
    "Your %(title)s will no longer be held on Zoom: it will be held %(place)s.\n"
    "The Zoom link we sent earlier no longer works. We will contact you separately with the details of the place.\n"
    "\n"
    "Date and time:\n"
    "%(when)s\n"
    "\n"
    "%(company)s Recruiting Team\n": "%(candidate_name)s 様\n"
    "\n"
    "%(company)s 採用担当です。\n"
    "先日ご案内した%(title)sは、Zoomではなく%(place)sで実施することになりました。\n"
    "以前お送りしたZoomのURLはご利用いただけません。場所などの詳細は、担当者より改めてご連絡いたします。\n"
    "\n"
    "■ 日時\n"
    "%(when)s\n"
    "\n"
    "%(company)s 採用担当\n",
    "in person": "対面",
    "by another means": "別の方法",
    "%(title)s (%(company)s)": "【%(company)s】%(title)s",
    "Meeting ID: %(id)s": "ミーティングID: %(id)s",
    "Passcode: %(passcode)s": "パスコード: %(passcode)s",
    "Cancelled.": "キャンセルになりました。",
    # The participants' mails
    "%(title)s: %(candidate_name)s": "%(title)s（%(candidate_name)sさん）",
    "Interview: %(candidate_name)s, %(title)s (%(when)s)": "【面接】%(candidate_name)sさん %(title)s（%(when)s）",
    "Cancelled: %(candidate_name)s, %(title)s (%(when)s)": "【キャンセル】%(candidate_name)sさん %(title)s（%(when)s）",
    "You are an interviewer of %(candidate_name)s's %(title)s.": (
        "%(candidate_name)sさんの%(title)sに、面接担当として登録されました。"
    ),
    "There is a change to %(candidate_name)s's %(title)s: %(changes)s.": (
        "%(candidate_name)sさんの%(title)sの%(changes)sが変更になりました。"
    ),
    "The earlier Zoom URL no longer works.": "以前のZoomのURLは使えなくなりました。",
    "%(recipient_name)s,\n"
    "\n"
    "%(lead)s\n"
    "\n"
    "Date and time:\n"
    "%(when)s\n"
    "\n"
    "Zoom:\n"
    "%(join_url)s\n"
    "Meeting ID: %(meeting_id)s\n"
    "Passcode: %(passcode)s\n"
    "Host: %(host)s\n"
    "\n"
    "The interview in HERP: %(detail_url)s\n"
    "The interview is attached as a calendar event.\n": "%(recipient_name)sさん\n"
    "\n"
    "%(lead)s\n"
    "\n"
    "■ 日時\n"
    "%(when)s\n"
    "\n"
    "■ Zoom\n"
    "%(join_url)s\n"
    "ミーティングID: %(meeting_id)s\n"
    "パスコード: %(passcode)s\n"
    "ホスト: %(host)s\n"
    "\n"
    "HERPの選考予定: %(detail_url)s\n"
    "カレンダーの予定を添付しています。\n",
    "%(recipient_name)s,\n"
    "\n"
    "%(candidate_name)s's %(title)s will no longer be held on Zoom: it will be held %(place)s. The earlier Zoom URL "
    "no longer works.\n"
    "\n"
    "Date and time:\n"
    "%(when)s\n"
    "\n"
    "The interview in HERP: %(detail_url)s\n": "%(recipient_name)sさん\n"
    "\n"
    "%(candidate_name)sさんの%(title)sは、Zoomではなく%(place)sで行うことになりました。以前のZoomのURLは使えません。\n"
    "\n"
    "■ 日時\n"
    "%(when)s\n"
    "\n"
    "HERPの選考予定: %(detail_url)s\n",
    "You are no longer an interviewer of %(candidate_name)s's %(title)s.": (
        "%(candidate_name)sさんの%(title)sの面接担当から外れました。"
    ),
    "%(candidate_name)s's %(title)s was cancelled.": "%(candidate_name)sさんの%(title)sはキャンセルになりました。",
    "%(recipient_name)s,\n"
    "\n"
    "%(lead)s\n"
    "This e-mail removes the event from your calendar.\n"
    "\n"
    "Date and time:\n"
    "%(when)s\n"
    "\n"
    "The interview in HERP: %(detail_url)s\n": "%(recipient_name)sさん\n"
    "\n"
    "%(lead)s\n"
    "カレンダーの予定は、このメールで取り消されます。\n"
    "\n"
    "■ 日時\n"
    "%(when)s\n"
    "\n"
    "HERPの選考予定: %(detail_url)s\n",
    # The schedule's page
    "The recipient's mail server refused the address. Check the address, then press Resend.": (
        "宛先のメールサーバーがアドレスを受け付けませんでした。アドレスを確かめてから「再送」を押してください。"
    ),
    "HERP's mail server could not be reached. The operators have been told; press Resend once it works again.": (
        "HERPのメールサーバーにつながりませんでした。運用担当に通知済みです。復旧したら「再送」を押してください。"
    ),
    "HERP's mail server refused the message. The operators have been told.": (
        "HERPのメールサーバーがメールを受け付けませんでした。運用担当に通知済みです。"
    ),
    "An unexpected error stopped the sending. The operators have been told.": (
        "予期しないエラーで送信できませんでした。運用担当に通知済みです。"
    ),
    "The interview was cancelled. Its Zoom meeting is deleted, and the cancellations are being sent.": (
        "面接をキャンセルしました。Zoomのミーティングを削除し、キャンセルのお知らせを送っています。"
    ),
    "Invitations": "案内メール",
    "Each person gets an e-mail with a calendar event when the Zoom URL exists, and an update or a cancellation "
    "when something that concerns them changes. Calendars replace or remove the one event.": (
        "Zoom URLが発行されると、一人ひとりにカレンダーの予定つきのメールが届きます。その人に関わる内容が変わると、"
        "変更またはキャンセルのお知らせが届き、カレンダーの同じ予定が更新・削除されます。"
    ),
    "The invitations go out by themselves as soon as Zoom has made the meeting.": (
        "Zoomでミーティングが作成されると、案内メールが自動で送られます。"
    ),
    "The candidate has no e-mail address, so HERP sends them nothing. Copy the invitation below and send it another "
    "way.": "候補者のメールアドレスが登録されていないため、HERPからは何も送っていません。下の案内文をコピーして、"
    "別の方法でお送りください。",
    "HERP does not e-mail the candidate for this interview (turned off in the schedule). Copy the invitation below "
    "when you write to them.": "この選考予定では、HERPから候補者にメールを送りません（選考予定で停止中）。"
    "ご自身で連絡するときは、下の案内文をコピーしてお使いください。",
    "Recipient": "宛先",
    "Latest message": "最新のメール",
    "Version": "版",
    "participant": "参加者",
    "no e-mail address": "メールアドレスなし",
    "date and time": "日時",
    "URL": "URL",
    "place": "実施方法",
    "interviewers": "面接担当",
    "Nothing sent yet": "まだ送っていません",
    "Retrying": "再試行中",
    "Attempts so far: %(attempts)s.": "これまでの試行: %(attempts)s回。",
    "Resend": "再送",
    "Written": "作成日時",
    "Kind": "種類",
    "The candidate's invitation": "候補者への案内文",
    "For channels HERP does not send to (a chat, a job site's messages).": (
        "HERPが送らない連絡手段（チャットや求人サイトのメッセージなど）でお使いください。"
    ),
    "Copy the invitation": "招待文をコピー",
    "Its Zoom meeting will be deleted: the URL stops working.": "Zoomのミーティングは削除され、URLは使えなくなります。",
    "Everyone who got the invitation, the candidate included, gets a cancellation by e-mail, which removes the event "
    "from their calendar.": "案内を受け取った全員（候補者を含む）に、キャンセルのお知らせがメールで届き、"
    "カレンダーの予定が削除されます。",
    "The participants who got the invitation get a cancellation by e-mail, which removes the event from their "
    "calendar. HERP does not e-mail this candidate: let them know yourself.": (
        "案内を受け取った参加者に、キャンセルのお知らせがメールで届き、カレンダーの予定が削除されます。"
        "この候補者にはHERPからメールを送りません。ご自身でお知らせください。"
    ),
    "E-mail to the candidate": "候補者へのメール",
    "None: no e-mail address": "なし（メールアドレス未登録）",
    "On (%(language)s)": "送る（%(language)s）",
    "Off: the recruiters write to the candidate themselves": "送らない（担当者が自分で連絡）",
    "The URL changed.": "URLが変わりました。",
    "HERP sent the new URL to everyone concerned on %(when)s (see Invitations below); their calendars replace the "
    "event.": "%(when)s に、新しいURLを関係者全員にお送りしました（下の「案内メール」をご覧ください）。"
    "カレンダーの予定も置き換わります。",
    "HERP does not e-mail this candidate: send them the new URL yourself (copy the invitation below).": (
        "この候補者にはHERPからメールを送りません。新しいURLをご自身でお知らせください（下の案内文をコピーできます）。"
    ),
}

JA_PLURAL = {
    "%(failed)s could not be sent": ["%(failed)s件 送信できませんでした"],
    "Every message (%(count)s)": ["すべてのメール（%(count)s件）"],
}
