# ruff: noqa: E501  (msgids are the catalogue keys, kept whole)
"""Japanese for the strings added by issue 14 (bin/fill-translations locale/ja/tables/issue14.py)."""

JA = {
    "Interview meeting changed in Zoom": "Zoom上で面接の会議が変更されました",
    "Someone keeps changing this interview's meeting in Zoom, so HERP stopped putting it back for today. Ask the host to leave the meeting as it is in Zoom (change the interview in HERP instead), then press “Send to Zoom again”.": (
        "この面接のZoom会議がZoom上で何度も変更されたため、本日はHERPで元に戻すのを止めています。"
        "Zoomでは会議を変更せず、HERPで選考予定を編集するようホストに伝えてから、「Zoomに再送信」を押してください。"
    ),
    "the meeting was deleted": "会議が削除されました",
    "start time": "開始時刻",
    "duration": "所要時間",
    "description": "説明",
    "waiting room": "待機室",
    "join before host": "ホストより前の参加",
    "Changes made in Zoom": "Zoom上で行われた変更",
    "This interview's time and meeting settings are managed in HERP. When someone changes or deletes its meeting in Zoom, HERP puts it back as the interview says and tells the host.": (
        "この面接の日時と会議の設定はHERPで管理しています。Zoom上で会議が変更・削除されると、"
        "HERPは選考予定のとおりに戻し、ホストにお知らせします。"
    ),
    "Changed in Zoom again and again": "Zoom上で繰り返し変更されました",
    "A meeting HERP did not make": "HERPで作成していない会議",
    "The interview is past or cancelled": "終了済み、またはキャンセルされた面接",
    "Zoom matches the interview": "Zoomの内容は選考予定と一致しています",
    "Put back as the interview says": "選考予定のとおりに戻しました",
    "Deleted in Zoom; made again": "Zoom上で削除されたため作り直しました",
    "Changed in Zoom too often; a person must look": "Zoom上での変更が多いため、担当者の確認が必要です",
    "Changed in Zoom": "Zoom上で変更",
    "Deleted in Zoom": "Zoom上で削除",
    "Put back": "元に戻しました",
    "Made again": "作り直しました",
    "Left for a person": "担当者の確認待ち",
    "fields that differed": "違っていた項目",
    "before, as Zoom told": "変更前（Zoomからの通知）",
    "after, as Zoom told": "変更後（Zoomからの通知）",
    "changed by (Zoom e-mail)": "変更した人（Zoomのメールアドレス）",
    "changed at (Zoom's time)": "変更日時（Zoomの記録）",
    "what HERP did": "HERPの対応",
    "host told": "ホストへ通知済み",
    "recorded at": "記録日時",
    "change made in Zoom": "Zoom上の変更",
    "changes made in Zoom": "Zoom上の変更",
    "[HERP] A deleted interview meeting was made again": "[HERP] 削除された面接のZoom会議を作り直しました",
    "The Zoom meeting of the interview “%(topic)s” (%(when)s) was deleted in Zoom.\n\nThe interview is still scheduled in HERP, so HERP made a new Zoom meeting, and the candidate and the interviewers receive the new URL.\nTo cancel or move the interview, please do it in HERP, not in Zoom:\n%(url)s": (
        "面接「%(topic)s」（%(when)s）のZoom会議が、Zoom上で削除されました。\n\n"
        "この面接はHERPでは予定どおり行われるため、HERPで新しいZoom会議を作成し、"
        "候補者と面接官に新しいURLをお送りしています。\n"
        "面接のキャンセルや日時の変更は、ZoomではなくHERPで行ってください。\n%(url)s"
    ),
    "[HERP] An interview changed in Zoom was put back": "[HERP] Zoom上で変更された面接を元に戻しました",
    "The Zoom meeting of the interview “%(topic)s” (%(when)s) was changed in Zoom.\n\nThe interview's time and meeting settings are managed in HERP, so HERP changed the Zoom meeting back to match the interview.\nTo move the interview, please edit it in HERP, not in Zoom:\n%(url)s": (
        "面接「%(topic)s」（%(when)s）のZoom会議が、Zoom上で変更されました。\n\n"
        "面接の日時と会議の設定はHERPで管理しているため、HERPでZoom会議を選考予定のとおりに戻しました。\n"
        "日時を変更する場合は、ZoomではなくHERPで選考予定を編集してください。\n%(url)s"
    ),
    # The host's bell line beside the mail (issue 15's bell, as issue 14 asked).
    "A deleted interview meeting was made again: %(topic)s": "削除された面接のZoomミーティングを作り直しました：%(topic)s",
    "An interview changed in Zoom was put back: %(topic)s": "Zoom上で変更された面接を元に戻しました：%(topic)s",
}
