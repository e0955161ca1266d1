"""Issue 13's "Done when", in a real browser: the admin invites a member from 全体設定 › メンバー, the
invitation reaches a real SMTP server, the member opens its link, sets a password and links Zoom, an
interview is made with them as its host, the admin deactivates them, and the interview's page shows the
new host and the update that went out. Then the schedule list on a 375 px phone.

The browser tier has no broker: the re-plan, the reconcile and the sends run eagerly inside the
deactivation's request, against the emulator on the same live server.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from herp.models import User
from tests.e2e.helpers import demo_world, sign_in, sign_in_quickly, snap, zoom_sign_in
from tests.e2e.test_invitation_journey import new_mails
from tests.e2e.test_schedule_journey import connect_company
from zoom_emulator import accounts as zoom_accounts

NEWCOMER = "newcomer@demo.example"
NEWCOMER_NAME = "新井 四郎"
ADMIN_NAME = "山田 花子"
CANDIDATE = "taro@candidate.example"


def test_a_member_is_invited_joins_hosts_an_interview_and_leaves(page, new_context, live_server, smtp):
    demo_world(live_server)
    admin = new_context().new_page()
    connect_company(admin, live_server)  # the admin connects the company's Zoom (they become the installer)
    zoom_accounts.add_user("demo", NEWCOMER, "Shiro", "Arai")  # the Zoom admin added the newcomer in Zoom

    # The admin invites the newcomer.
    admin.goto(f"{live_server.url}/settings/members/")
    admin.locator("#id_email").fill(NEWCOMER)
    admin.locator("#id_name").fill(NEWCOMER_NAME)
    admin.locator("#invite-send").click()
    expect(admin.locator(".message-success")).to_contain_text("招待メールを送りました")
    expect(admin.locator(f'#invitations tr[data-email="{NEWCOMER}"]')).to_contain_text("返事待ち")
    snap(admin, "journey-members-01-invited")
    [invitation] = new_mails(smtp, 0, 1)
    assert invitation.to == NEWCOMER
    assert invitation.subject == "【HERP】株式会社デモから招待が届いています"
    link = re.search(r"https?://\S+/password/set/\?token=[\w-]+", invitation.text).group(0)

    # The newcomer sets a password (the link leaves the address bar at once) and is signed in.
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/password/set/$"))
    expect(page.locator("#set-password-email")).to_have_text(NEWCOMER)
    expect(page.locator("#id_name")).to_have_value(NEWCOMER_NAME)
    page.locator("#id_password1").fill("shinnyu-2030-demo")
    page.locator("#id_password2").fill("shinnyu-2030-demo")
    snap(page, "journey-members-02-set-password")
    page.locator("#set-password-save").click()
    expect(page.locator(".message-success")).to_contain_text("HERPへようこそ")

    # They link their own Zoom user.
    zoom_sign_in(page, live_server, NEWCOMER)
    page.goto(f"{live_server.url}/accounts/zoom/")
    page.locator("#zoom-link").click()
    page.get_by_role("button", name="認可").click()
    expect(page.locator("#zoom-link-card")).to_have_attribute("data-status", "active")

    # An interview with them as the only linked participant: they host it.
    day = (timezone.now() + timedelta(days=10)).date()
    admin.goto(f"{live_server.url}/schedules/new/")
    admin.locator("#id_new_candidate_name").fill("候補 太郎")
    admin.locator("#id_new_candidate_email").fill(CANDIDATE)
    admin.locator("#id_title").fill("一次面接")
    admin.locator("#id_starts_at").fill(f"{day}T14:00")
    admin.locator("#id_duration_minutes").fill("60")
    admin.locator("#id_location").select_option("zoom")
    admin.get_by_label(NEWCOMER_NAME).check()
    expect(admin.locator("#host-name")).to_have_text(NEWCOMER_NAME)
    admin.locator("#schedule-save").click()
    expect(admin.locator("#zoom-meeting")).to_have_attribute("data-meeting-status", "created")
    expect(admin.locator("#meeting-host")).to_contain_text(NEWCOMER_NAME)
    interview_url = admin.url
    first_url = admin.locator("#join-url").get_attribute("href")
    sent = sorted(mail.to for mail in new_mails(smtp, 1, 2))
    assert sent == sorted([CANDIDATE, NEWCOMER])

    # The admin deactivates them: the confirmation says what will happen.
    newcomer = User.objects.get(email=NEWCOMER)
    admin.goto(f"{live_server.url}/settings/members/")
    admin.locator(f"#deactivate-{newcomer.pk}").click()
    expect(admin.locator("#deactivate-consequences")).to_contain_text("Zoom連携")
    expect(admin.locator("#deactivate-consequences")).to_contain_text("今後の面接1件")
    snap(admin, "journey-members-03-deactivate-confirm")
    admin.locator("#deactivate-confirm-button").click()
    expect(admin.locator(".message-success")).to_contain_text("無効にしました")
    expect(admin.locator(f'#member-list tr[data-member="{newcomer.pk}"]')).to_have_attribute("data-active", "0")

    # The interview: the installer hosts now (the host rule's fallback), and the update went out.
    admin.goto(interview_url)
    expect(admin.locator("#meeting-host")).to_contain_text(ADMIN_NAME)
    expect(admin.locator("#host-explanation .host-preview")).to_have_attribute("data-host-reason", "installer_fallback")
    expect(admin.locator("#schedule-participants")).to_have_text("—")
    expect(admin.locator("#url-changed")).to_contain_text("URLが変わりました。")
    new_url = admin.locator("#join-url").get_attribute("href")
    assert new_url != first_url
    expect(admin.locator('#invitation-list tr[data-recipient^="candidate:"]')).to_have_attribute("data-kind", "update")
    expect(admin.locator('#invitation-list tr[data-recipient^="user:"]')).to_have_attribute("data-kind", "cancellation")
    snap(admin, "journey-members-04-new-host-and-update-sent")
    changes = {mail.to: mail for mail in new_mails(smtp, 3, 2)}
    assert (changes[CANDIDATE].method, changes[CANDIDATE].location) == ("REQUEST", new_url)
    assert changes[NEWCOMER].method == "CANCEL"

    # And they can no longer sign in.
    page.goto(f"{live_server.url}/schedules/")
    expect(page).to_have_url(re.compile(r"/login/"))


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_schedule_list_and_the_members_page_fit_a_375_px_phone(new_context, live_server):
    demo_world(live_server)
    from scheduling.models import Candidate, InterviewSchedule

    admin = User.objects.get(email="admin@demo.example")
    now = timezone.now()
    for number, (days, zone) in enumerate([(2, "Asia/Tokyo"), (5, "America/New_York"), (-3, "Asia/Tokyo")]):
        candidate = Candidate.objects.create(company=admin.company, name=f"候補 {number}号")
        InterviewSchedule.objects.create(
            company=admin.company,
            candidate=candidate,
            title=f"一次面接（エンジニア職・中途採用）{number}",
            starts_at=now + timedelta(days=days),
            timezone=zone,
            location=InterviewSchedule.Location.ONSITE,
        )
    context = new_context()
    sign_in_quickly(context, live_server, admin)
    phone = context.new_page()
    phone.set_viewport_size({"width": 375, "height": 812})

    phone.goto(f"{live_server.url}/schedules/")
    expect(phone.locator("#schedule-list tbody tr")).to_have_count(2)
    expect(phone.locator("#schedule-list")).to_contain_text("(America/New_York)")
    assert no_sideways_scroll(phone)
    snap(phone, "journey-members-05-schedule-list-375px")
    phone.locator('#schedule-tabs a[data-tab="past"]').click()
    expect(phone.locator("#schedule-list tbody tr")).to_have_count(1)
    assert no_sideways_scroll(phone)

    phone.goto(f"{live_server.url}/settings/members/")
    expect(phone.locator("#member-list")).to_be_visible()
    assert no_sideways_scroll(phone)
    snap(phone, "journey-members-06-members-375px")


def test_sign_in_after_setting_a_password_from_the_onboarding_command(page, live_server):
    """The README's Production walk, in a browser: the command's link, a password, the first sign-in."""
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("create_company", "株式会社はじめて", "first.admin@hajimete.example", name="初 めて", stdout=out)
    link = re.search(r"https?://\S+/password/set/\?token=[\w-]+", out.getvalue()).group(0)

    page.goto(link.replace("http://testserver", live_server.url))
    page.locator("#id_password1").fill("hajimete-2030-demo")
    page.locator("#id_password2").fill("hajimete-2030-demo")
    page.locator("#set-password-save").click()
    expect(page.locator("main")).to_contain_text("株式会社はじめて")
    page.get_by_role("button", name="ログアウト").click()
    sign_in(page, live_server, "first.admin@hajimete.example", "hajimete-2030-demo")
    expect(page.locator("header .menu")).to_contain_text("全体設定 › メンバー")
