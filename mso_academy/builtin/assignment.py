"""Assignment: the learner hands in a text (and, if the trainer allows it, a file); a trainer reviews it.

Content document::

    instructions: |          # Markdown: what to hand in
      Write the invitation to your association's general meeting ...
    allow_file: true         # the learner may add one file (PDF, ODT, DOCX or an image, up to 5 MB)
    file_required: false     # the file is required (only with allow_file)
    min_words: 50            # optional limits for the text
    max_words: 400
    minutes: 30              # optional: time a learner needs

The text is required unless a file is allowed and handed in. Every hand-in goes to the review queue of the
course's trainers, who pass it or return it with feedback; the learner can hand in again after a return.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mso_academy.plugins.api import (
    ActivityKind,
    AnswerError,
    ContentProblem,
    FormData,
    Grade,
    gettext,
    hookimpl,
    lazy_gettext,
    ngettext,
)

MAX_TEXT_CHARACTERS = 20_000
MAX_WORDS = 5_000
TEXT_FIELD = "text"
FILE_FIELD = "file"

#: What a learner may hand in: MIME type → (name shown to people, extensions for the file chooser).
FILE_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "application/pdf": ("PDF", (".pdf",)),
    "application/vnd.oasis.opendocument.text": ("ODT", (".odt",)),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("DOCX", (".docx",)),
    "image/png": ("PNG", (".png",)),
    "image/jpeg": ("JPEG", (".jpg", ".jpeg")),
    "image/gif": ("GIF", (".gif",)),
    "image/webp": ("WebP", (".webp",)),
}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def count_words(text: str) -> int:
    return len(text.split())


def _upload_id(value: Any) -> int | None:
    if isinstance(value, str) and value.startswith("upload:") and value[7:].isascii() and value[7:].isdigit():
        return int(value[7:])
    return None


class Assignment(ActivityKind):
    key = "assignment"
    name = lazy_gettext("Assignment")
    description = lazy_gettext("The learner hands in a text or a file; a trainer reviews it and gives feedback.")
    template = "builtin/assignment.html"
    editor_template = "builtin/assignment_editor.html"
    upload_field = FILE_FIELD
    upload_types = frozenset(FILE_TYPES)
    max_upload_bytes = 5 * 1024 * 1024

    # --- content -----------------------------------------------------------------------------------------

    def validate(self, content: Mapping[str, Any]) -> list[ContentProblem]:
        problems: list[ContentProblem] = []
        instructions = content.get("instructions")
        if not isinstance(instructions, str) or not instructions.strip():
            problems.append(ContentProblem("instructions", "an assignment needs instructions (Markdown text)"))
        allow_file = content.get("allow_file", False)
        if not isinstance(allow_file, bool):
            problems.append(ContentProblem("allow_file", "allow_file must be true or false"))
        file_required = content.get("file_required", False)
        if not isinstance(file_required, bool):
            problems.append(ContentProblem("file_required", "file_required must be true or false"))
        elif file_required and allow_file is not True:
            problems.append(ContentProblem("file_required", "file_required needs allow_file: true"))
        limits = {}
        for name in ("min_words", "max_words"):
            value = content.get(name)
            if value is None:
                continue
            if not _is_int(value) or not 1 <= value <= MAX_WORDS:
                problems.append(ContentProblem(name, f"{name} must be empty or a whole number from 1 to {MAX_WORDS}"))
            else:
                limits[name] = value
        if len(limits) == 2 and limits["min_words"] > limits["max_words"]:
            problems.append(ContentProblem("max_words", "max_words must not be smaller than min_words"))
        minutes = content.get("minutes", 15)
        if not _is_int(minutes) or not 1 <= minutes <= 600:
            problems.append(ContentProblem("minutes", "minutes must be a whole number from 1 to 600"))
        return problems

    def estimated_minutes(self, content: Mapping[str, Any]) -> int:
        minutes = content.get("minutes", 15)
        return minutes if _is_int(minutes) else 15

    # --- editor ------------------------------------------------------------------------------------------

    def default_content(self) -> dict[str, Any]:
        return {
            "instructions": gettext("Describe what learners should hand in, and how you will look at it."),
            "allow_file": False,
            "file_required": False,
            "min_words": None,
            "max_words": None,
        }

    def content_from_form(self, form: FormData, previous: Mapping[str, Any]) -> dict[str, Any]:
        allow_file = form.get("allow_file") == "1"
        content: dict[str, Any] = {
            "instructions": (form.get("instructions") or "").replace("\r\n", "\n").strip(),
            "allow_file": allow_file,
            "file_required": allow_file and form.get("file_required") == "1",
            "min_words": self._number(form.get("min_words")),
            "max_words": self._number(form.get("max_words")),
        }
        minutes = self._number(form.get("minutes"))
        if minutes is not None:
            content["minutes"] = minutes
        return content

    @staticmethod
    def _number(raw: Any) -> Any:
        """Empty: None; a whole number: int; anything else is kept as typed, and `validate` names the field."""
        text = (raw or "").strip() if isinstance(raw, str) else ""
        if not text:
            return None
        return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else text

    # --- answers and grading -----------------------------------------------------------------------------

    def parse_answers(self, content: Mapping[str, Any], form: FormData) -> dict[str, Any]:
        raw = form.get(TEXT_FIELD) or ""
        text = raw.replace("\r\n", "\n").strip() if isinstance(raw, str) else ""
        if len(text) > MAX_TEXT_CHARACTERS:
            raise AnswerError(
                gettext("Your text is too long: at most %(count)d characters, please.", count=MAX_TEXT_CHARACTERS)
            )
        file_value = form.get(FILE_FIELD) or None
        upload_id = _upload_id(file_value)
        if file_value is not None and upload_id is None:
            raise AnswerError(gettext("The file could not be read. Please choose it again."))
        allow_file = content.get("allow_file", False)
        if upload_id is not None and not allow_file:
            raise AnswerError(gettext("This assignment takes no file. Please write your answer in the text field."))
        if allow_file and content.get("file_required") and upload_id is None:
            raise AnswerError(gettext("Please add your file."))
        words = count_words(text)
        if not text and upload_id is None:
            if allow_file:
                raise AnswerError(gettext("Please write your answer or add a file."))
            raise AnswerError(gettext("Please write your answer."))
        min_words, max_words = content.get("min_words"), content.get("max_words")
        if min_words and text and words < min_words:
            raise AnswerError(
                ngettext(
                    "Please write at least %(num)d word (you wrote %(words)d).",
                    "Please write at least %(num)d words (you wrote %(words)d).",
                    min_words,
                    words=words,
                )
            )
        if max_words and words > max_words:
            raise AnswerError(
                ngettext(
                    "Please write at most %(num)d word (you wrote %(words)d).",
                    "Please write at most %(num)d words (you wrote %(words)d).",
                    max_words,
                    words=words,
                )
            )
        return {"text": text, "words": words, "file": f"upload:{upload_id}" if upload_id is not None else None}

    def grade(self, content: Mapping[str, Any], answers: Mapping[str, Any]) -> Grade:
        return Grade(
            score=0.0, passed=False, pending_review=True, summary=gettext("Handed in; a trainer will review it.")
        )

    # --- for the template --------------------------------------------------------------------------------

    @property
    def accept(self) -> str:
        """The file input's ``accept`` attribute: extensions and MIME types."""
        extensions = [ext for _label, exts in FILE_TYPES.values() for ext in exts]
        return ",".join([*extensions, *FILE_TYPES])

    @property
    def type_names(self) -> str:
        return ", ".join(label for label, _exts in FILE_TYPES.values())

    @property
    def max_upload_megabytes(self) -> str:
        return f"{self.max_upload_bytes / (1024 * 1024):g}"

    @staticmethod
    def upload_id(value: Any) -> int | None:
        """The id of a handed-in file (``upload:<id>`` in the answers), for a link to it."""
        return _upload_id(value)


@hookimpl
def register_activity_kinds() -> list[ActivityKind]:
    return [Assignment()]
