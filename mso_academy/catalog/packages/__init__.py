"""Course packages: a folder with ``course.yaml`` and the Markdown/YAML files its activities reference.

`load_package` reads and checks a package and reports every problem at once, each naming the file and line;
`load_packages` does the same for a folder of packages and also finds slugs used twice.
`import_course` writes a checked package: idempotent by slug and version, and a new version updates modules and
activities by their stable keys, so learners keep their progress. `export_course_files` gives a stored course
back as package files. See ``docs/course-packages.md``.

Everything is imported from here; the modules split the work: `spec` (the package as data and the format's
rules), `yaml_lines` and `reading` (files to a checked spec), `importing` (a spec into the database) and
`exporting` (a spec or a stored course back to files).
"""

from __future__ import annotations

from mso_academy.catalog.packages.exporting import (
    course_spec,
    export_course_files,
    export_files,
    write_package,
    zip_package,
)
from mso_academy.catalog.packages.importing import import_course
from mso_academy.catalog.packages.reading import find_packages, load_package, load_packages
from mso_academy.catalog.packages.spec import (
    ACTIVITY_KEYS,
    CERTIFICATE_KEYS,
    COURSE_FIELDS,
    COURSE_KEYS,
    FORMAT_VERSION,
    LANGUAGE,
    MANIFEST,
    MODULE_KEYS,
    SLUG,
    TITLE_MAX,
    TRANSLATION_KEYS,
    VERSION,
    ActivitySpec,
    CourseSpec,
    ModuleSpec,
    Problem,
    spec_from_course,
    spec_from_dict,
    spec_to_dict,
)

__all__ = [
    "ACTIVITY_KEYS",
    "CERTIFICATE_KEYS",
    "COURSE_FIELDS",
    "COURSE_KEYS",
    "FORMAT_VERSION",
    "LANGUAGE",
    "MANIFEST",
    "MODULE_KEYS",
    "SLUG",
    "TITLE_MAX",
    "TRANSLATION_KEYS",
    "VERSION",
    "ActivitySpec",
    "CourseSpec",
    "ModuleSpec",
    "Problem",
    "course_spec",
    "export_course_files",
    "export_files",
    "find_packages",
    "import_course",
    "load_package",
    "load_packages",
    "spec_from_course",
    "spec_from_dict",
    "spec_to_dict",
    "write_package",
    "zip_package",
]
