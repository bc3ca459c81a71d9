"""The four tax spheres of a non-profit association, plus money moved between its own till and bank account."""

from __future__ import annotations

from mso_academy.plugins.api import lazy_gettext as _l

#: key → (name shown to learners, why it matters, with its legal basis)
SPHERES = {
    "ideell": (
        _l("Non-profit sphere (ideeller Bereich)"),
        _l(
            "Membership fees, donations and grants without anything in return belong to the non-profit sphere; "
            "they are free of corporation and trade tax (§ 5 Abs. 1 Nr. 9 KStG, § 8 Abs. 5 KStG for fees)."
        ),
    ),
    "vermoegen": (
        _l("Asset management (Vermögensverwaltung)"),
        _l(
            "Interest and the long-term letting of the association's property are asset management (§ 14 Satz 3 "
            "AO); they stay tax-free, but are recorded apart from the non-profit sphere."
        ),
    ),
    "zweckbetrieb": (
        _l("Purpose-related business (Zweckbetrieb)"),
        _l(
            "Income from an activity that itself serves the statutory purpose and could not be reached otherwise "
            "is a Zweckbetrieb (§ 65 AO, special cases §§ 66-68 AO): tax-privileged, but booked separately."
        ),
    ),
    "wirtschaftlich": (
        _l("Commercial business (wirtschaftlicher Geschäftsbetrieb)"),
        _l(
            "Selling food and drinks, advertising and similar income with a commercial character form the "
            "commercial business (§ 14 AO, § 64 AO); it becomes taxable once its gross income exceeds the "
            "threshold of § 64 Abs. 3 AO (see the figures page)."
        ),
    ),
    "transit": (
        _l("Transfer between till and bank (Geldtransit)"),
        _l(
            "Cash taken from the bank into the till, or cash paid into the bank, is neither income nor expense "
            "of the association: it only moves money between its own accounts and belongs to no sphere."
        ),
    ),
}

DIRECTIONS = {"in": _l("Income"), "out": _l("Expense")}
