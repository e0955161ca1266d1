"""The host rule (DESIGN.md section 1, point 3) as a table, and its one query."""

from __future__ import annotations

import pytest

from herp.models import User
from integrations.models import ZoomInstallation
from scheduling.selectors import HostReason, host_select
from zoom.models import ZoomUser


def test_one_linked_participant_hosts(company, connected, person, link_factory):
    alice, bob = person("Alice"), person("Bob")
    link = link_factory(alice)

    choice = host_select(company=company, participant_ids=[alice.pk, bob.pk])

    assert choice.reason == HostReason.SINGLE_LINKED
    assert choice.host_user == alice
    assert choice.host_link == link
    assert choice.host_grant_id == link.grant_id
    assert choice.host_email == link.email
    assert choice.alternatives == []
    assert choice.unlinked == [bob]


def test_of_two_or_more_linked_the_smallest_link_id_hosts_and_the_others_are_alternatives(
    company, connected, person, link_factory
):
    alice, bob, carol = person("Alice"), person("Bob"), person("Carol")
    # Link order, not user order, decides: Carol linked first.
    carol_link, alice_link, bob_link = link_factory(carol), link_factory(alice), link_factory(bob)

    choice = host_select(company=company, participant_ids=[alice.pk, bob.pk, carol.pk])

    assert choice.reason == HostReason.SMALLEST_LINK_ID
    assert choice.host_user == carol
    assert choice.host_link == carol_link
    assert choice.alternatives == [alice_link, bob_link]
    assert choice.alternative_host_emails == [alice_link.email, bob_link.email]
    assert choice.unlinked == []


def test_with_no_linked_participant_the_installer_hosts_when_connected(company, connected, installer, person):
    alice = person("Alice")

    choice = host_select(company=company, participant_ids=[alice.pk])

    assert choice.reason == HostReason.INSTALLER_FALLBACK
    assert choice.host_user == installer
    assert choice.host_link is None
    assert choice.host_grant_id == connected.grant_id
    assert choice.host_zoom_user_id == connected.grant.zoom_user_id
    assert choice.host_email == "installer@zoom.example"
    assert choice.unlinked == [alice]


@pytest.mark.parametrize(
    "status", [ZoomInstallation.Status.NEEDS_RECONNECT, ZoomInstallation.Status.REVOKED, "not_connected"]
)
def test_the_installer_is_no_fallback_unless_connected(company, connected, person, status):
    if status == "not_connected":
        connected.disconnect(connected.installer)
    else:
        ZoomInstallation.objects.filter(pk=connected.pk).update(status=status)

    choice = host_select(company=company, participant_ids=[person().pk])

    assert choice.reason == HostReason.NONE_AVAILABLE
    assert not choice.available
    assert choice.host_user is None


def test_a_company_that_never_connected_has_nobody_to_host(company, person):
    choice = host_select(company=company, participant_ids=[person().pk])

    assert choice.reason == HostReason.NONE_AVAILABLE


@pytest.mark.parametrize(
    "spoil",
    ["invalid", "unlinked", "other_account", "suspended"],
)
def test_links_that_cannot_host_never_count(company, connected, installer, person, link_factory, spoil):
    alice = person("Alice")
    if spoil == "invalid":
        link_factory(alice, status=ZoomUser.Status.INVALID)
    elif spoil == "unlinked":
        link_factory(alice, status=ZoomUser.Status.UNLINKED)
    elif spoil == "other_account":
        link_factory(alice, account_id="acct_someone_else")
    else:  # the company disconnected: links are suspended, and the installer is no fallback either
        link_factory(alice)
        connected.disconnect(installer)

    choice = host_select(company=company, participant_ids=[alice.pk])

    assert choice.host_link is None
    assert choice.unlinked == [alice]
    expected = HostReason.NONE_AVAILABLE if spoil == "suspended" else HostReason.INSTALLER_FALLBACK
    assert choice.reason == expected


def test_a_suspended_link_counts_again_after_reconnecting_to_the_same_account(
    company, connected, installer, person, link_factory, connect
):
    alice = person("Alice")
    link = link_factory(alice)
    connected.disconnect(installer)
    connect(company, installer)

    assert host_select(company=company, participant_ids=[alice.pk]).host_link == link


def test_other_companies_people_and_links_are_ignored(
    company, connected, installer, person, link_factory, user_factory, company_factory
):
    stranger = user_factory(company=company_factory(), name="Stranger")
    link_factory(stranger)  # a smaller link id than anyone of ours
    alice = person("Alice")
    alice_link = link_factory(alice)

    choice = host_select(company=company, participant_ids=[stranger.pk, alice.pk])

    assert choice.host_link == alice_link
    assert choice.reason == HostReason.SINGLE_LINKED
    assert stranger not in choice.unlinked
    only_stranger = host_select(company=company, participant_ids=[stranger.pk])
    assert only_stranger.reason == HostReason.INSTALLER_FALLBACK
    assert only_stranger.unlinked == []


def test_the_installer_as_participant_hosts_with_their_own_link(company, connected, installer, person, link_factory):
    installer_link = link_factory(installer)
    alice = person("Alice")
    alice_link = link_factory(alice)

    choice = host_select(company=company, participant_ids=[alice.pk, installer.pk])

    assert choice.host_link == installer_link
    assert choice.alternatives == [alice_link]


def test_garbage_participant_ids_are_ignored(company, connected, installer):
    choice = host_select(company=company, participant_ids=["abc", "", "-1"])

    assert choice.reason == HostReason.INSTALLER_FALLBACK
    assert choice.unlinked == []


@pytest.mark.parametrize("count", [1, 10, 100])
def test_the_host_rule_takes_one_query_whatever_the_number_of_participants(
    company, connected, user_factory, link_factory, django_assert_num_queries, count
):
    people = [user_factory(company=company, name=f"P{i:03}") for i in range(count)]
    for user in people[::2]:
        link_factory(user)
    invalid = people[1::4]
    for user in invalid:
        link_factory(user, status=ZoomUser.Status.INVALID)

    with django_assert_num_queries(1):
        choice = host_select(company=company, participant_ids=[user.pk for user in people])
        # Everything a page shows of the choice is loaded by that one query.
        names = [choice.host_user.display_name, choice.host_email]
        names += [link.user.display_name for link in choice.alternatives]
        names += [user.display_name for user in choice.unlinked]

    assert choice.host_user == people[0]
    assert len(choice.alternatives) + 1 + len(choice.unlinked) == count
    assert isinstance(names[0], str)


def test_the_fallback_also_takes_one_query(company, connected, person, django_assert_num_queries):
    people = [person() for _ in range(5)]

    with django_assert_num_queries(1):
        choice = host_select(company=company, participant_ids=[user.pk for user in people])
        assert choice.host_user.display_name
        assert choice.reason == HostReason.INSTALLER_FALLBACK


def test_roles_do_not_matter(company, connected, user_factory, link_factory):
    admin = user_factory(company=company, role=User.Role.ADMIN)
    link = link_factory(admin)

    assert host_select(company=company, participant_ids=[admin.pk]).host_link == link
