"""JUnit XML output, for the test reports of GitLab, Jenkins and Azure Pipelines.

One test suite, one test case per checked file (named by its path): a file that is
invalid is a failure whose text lists its messages; warnings that don't fail are in
the case's system-out. A run that validated nothing is one failing case saying what
was passed over and why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .messages import FileReport
from .targets import Skipped

SUITE = "feedkit validate"
# What XML 1.0 can't hold (a JSON feed's string may): shown as U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def as_junit(reports: list[FileReport], *, strict: bool = False,
             skipped: Sequence[Skipped] = ()) -> str:
    from lxml import etree

    suites = etree.Element("testsuites", name=SUITE)
    suite = etree.SubElement(suites, "testsuite", name=SUITE)
    failures = 0
    for report in reports:
        case = etree.SubElement(suite, "testcase", classname="feedkit.validate",
                                name=_xml_text(report.path), file=_xml_text(report.path))
        lines = _xml_text("\n".join(map(str, report.messages)))
        if report.verdict(strict) == "invalid":
            failures += 1
            failure = etree.SubElement(
                case, "failure", type="invalid",
                message=f"{report.errors} errors, {report.warnings} warnings"
                + (" (--strict: warnings count)" if strict and report.warnings else ""))
            failure.text = lines
        elif lines:
            etree.SubElement(case, "system-out").text = lines
    if not reports:
        failures += 1
        case = etree.SubElement(suite, "testcase", classname="feedkit.validate",
                                name="nothing validated")
        failure = etree.SubElement(case, "failure", type="nothing-validated",
                                   message="no feed among the inputs")
        failure.text = _xml_text("\n".join(map(str, skipped))) or "no inputs"
    elif skipped:
        etree.SubElement(suite, "system-err").text = _xml_text("\n".join(map(str, skipped)))
    tests = len(reports) or 1
    for element in (suites, suite):
        element.set("tests", str(tests))
        element.set("failures", str(failures))
        element.set("errors", "0")
    text: str = etree.tostring(suites, encoding="unicode", pretty_print=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text
