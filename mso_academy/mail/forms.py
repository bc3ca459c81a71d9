"""The reminder choices on the profile page: one checkbox per kind of reminder."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField

from mso_academy.mail.preferences import ASSIGNMENT_DUE, CERTIFICATE_EXPIRING, REMINDER_KINDS


class ReminderPreferencesForm(FlaskForm):
    """Checked means "send me this reminder"; the form is prefixed ``reminders-`` on the profile page."""

    assignment_due = BooleanField(REMINDER_KINDS[ASSIGNMENT_DUE])
    certificate_expiring = BooleanField(REMINDER_KINDS[CERTIFICATE_EXPIRING])

    kinds = (ASSIGNMENT_DUE, CERTIFICATE_EXPIRING)

    def wanted(self) -> set[str]:
        return {kind for kind in self.kinds if self[kind].data}
