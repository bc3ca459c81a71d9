"""The manager's dashboard: the certificate matrix, the organisation's status per area, assigned courses.

`matrix` reads an organisation's members, required and assigned courses, certificates and progress in a fixed
number of queries; `status` says per area whether the organisation is qualified; `assignments` gives members
courses with due dates and reminds them; `exports` writes the matrix and the progress as CSV and XLSX.
"""
