"""The German line for funders on certificates issued in another language.

German funding bodies (Länder, BAMF, foundations) accept proof of training in German. A certificate is issued in
the language of the course (a Turkish course gives a Turkish certificate), so when that language is not German
the PDF and the verification page add one German sentence with what a funder checks: who, which course and
version, how many teaching units, when, by whom and until when. It is always German, whatever the reader's or
the course's language, so it is written here and not translated through the catalogues.
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from flask_babel import force_locale, format_date

from mso_academy.certificates.models import Certificate


def teaching_units(minutes: int) -> int:
    """Unterrichtseinheiten of 45 minutes, rounded up, as German funders count them."""
    return -(-minutes // 45) if minutes > 0 else 0


def language_in_german(code: str) -> str:
    try:
        return Locale.parse(code).get_display_name("de") or code
    except (ValueError, UnknownLocaleError):
        return code


def needs_funder_line(certificate: Certificate) -> bool:
    return certificate.course_language.split("_")[0] != "de"


def funder_line(certificate: Certificate) -> str | None:
    """The German sentence for funders, or None for a certificate that is German already.

    Needs an app context (dates are shown in the configured time zone).
    """
    if not needs_funder_line(certificate):
        return None
    units = teaching_units(certificate.duration_minutes)
    details = [
        f"Version {certificate.course_version}",
        f"Kurssprache {language_in_german(certificate.course_language)}",
    ]
    if units:
        details.append(f"{units} Unterrichtseinheit{'en' if units != 1 else ''} à 45 Minuten")
    with force_locale("de"):
        issued = format_date(certificate.issued_at, "long")
        until = format_date(certificate.valid_until, "long") if certificate.valid_until else None
    validity = f"gültig bis {until}" if until else "unbefristet gültig"
    course = f"„{certificate.course_title}“ ({', '.join(details)})"
    issued_by = f"ausgestellt am {issued} von {certificate.issuer_name}, {validity}"
    if not certificate.holder_name:  # the holder deleted their account: the record stays, the name does not
        return f"Teilnahmebescheinigung über den Kurs {course} – {issued_by}."
    holder = certificate.holder_name
    return f"Teilnahmebescheinigung: {holder} hat den Kurs {course} erfolgreich abgeschlossen – {issued_by}."
