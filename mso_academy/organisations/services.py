"""Organisations: creating and describing them, members and managers, invitations, functions and their courses.

Every function takes the session and plain values, flushes and never commits. Who may call what is decided by
the views through `access.py` (`managed_organisation`, `member_organisation`); the functions check the rules of
the organisation itself (the last manager stays, one membership per person, an invitation is used once).

They live in `organisations.py` (the organisation itself), `membership.py`, `invitations.py` and `functions.py`;
this module gathers their public names, so the views, the forms and the tests import from one place whichever
module a function is in.
"""

from __future__ import annotations

from mso_academy.organisations.functions import (
    FunctionRow,
    assign_function,
    create_function,
    delete_function,
    function_of,
    functions,
    published_courses,
    remove_requirement,
    rename_function,
    set_requirement,
    unassign_function,
)
from mso_academy.organisations.invitations import (
    INVITATION_SALT,
    InvalidInvitation,
    InvitationGone,
    InvitationView,
    accept_invitation,
    decline_invitation,
    describe_invitation,
    invitation_for_token,
    invitation_token,
    invite,
    pending_invitations,
    revoke_invitation,
)
from mso_academy.organisations.membership import (
    AlreadyMember,
    LastManager,
    MemberRow,
    functions_of,
    leave,
    members,
    remove_member,
    set_role,
)
from mso_academy.organisations.organisations import (
    RESERVED_SLUGS,
    Details,
    all_organisations,
    create_organisation,
    my_organisations,
    public_organisation,
    unique_slug,
    update_organisation,
)

__all__ = [
    "INVITATION_SALT",
    "RESERVED_SLUGS",
    "AlreadyMember",
    "Details",
    "FunctionRow",
    "InvalidInvitation",
    "InvitationGone",
    "InvitationView",
    "LastManager",
    "MemberRow",
    "accept_invitation",
    "all_organisations",
    "assign_function",
    "create_function",
    "create_organisation",
    "decline_invitation",
    "delete_function",
    "describe_invitation",
    "function_of",
    "functions",
    "functions_of",
    "invitation_for_token",
    "invitation_token",
    "invite",
    "leave",
    "members",
    "my_organisations",
    "pending_invitations",
    "public_organisation",
    "published_courses",
    "remove_member",
    "remove_requirement",
    "rename_function",
    "revoke_invitation",
    "set_requirement",
    "set_role",
    "unassign_function",
    "unique_slug",
    "update_organisation",
]
