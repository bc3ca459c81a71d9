"""The reviewer's form: feedback and one of two buttons (pass, return for rework)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length

from mso_academy.reviews.services import DECISIONS, MAX_FEEDBACK


class ReviewForm(FlaskForm):
    feedback = TextAreaField(
        _l("Feedback for the learner"),
        validators=[Length(max=MAX_FEEDBACK)],
        description=_l("Required when you return the work: say what to rework. The learner gets it by e-mail."),
        render_kw={"rows": 8},
    )
    # Sent by the button the trainer pressed (name="decision"); not rendered as a field of its own.
    decision = StringField(
        validators=[
            InputRequired(_l("Please choose whether to pass the work or return it for rework.")),
            AnyOf(DECISIONS, message=_l("Please choose whether to pass the work or return it for rework.")),
        ]
    )
