"""The last line of ./test.sh: "N passed, N failed[, N skipped]", which counts as failed every test that was
discovered but did not report a result (a crashed or aborted test host, the session timeout) and never says
"0 failed" for a run whose exit status is not 0 or that ran nothing.

Usage: summary.py RESULTS.trx DISCOVERED.txt EXIT_STATUS   (exits 1 when it counts a failure)
  RESULTS.trx     the trx logger's file (may be missing: then nothing is known to have run)
  DISCOVERED.txt  the output of `dotnet test --list-tests` (may be missing: discovery failed)
"""
import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter

trx_path, discovered_path, status = sys.argv[1], sys.argv[2], int(sys.argv[3])
notes = []


def discovered_tests():
    """Test names from `dotnet test --list-tests`: the indented lines after 'The following Tests are available:'."""
    try:
        with open(discovered_path, encoding="utf-8") as listing:
            # Only "\n" ends a line: splitlines() would also break a name at U+2028 or U+0085 in theory data.
            lines = [line.rstrip("\r") for line in listing.read().split("\n")]
    except OSError:
        return None
    names, listing_started = [], False
    for line in lines:
        if line.startswith("The following Tests are available:"):
            listing_started = True
        elif listing_started and line.startswith("    "):
            names.append(line.strip())
    return names


def comparable(name):
    """A test name as both listings can agree on it: the console and the trx write characters beyond ASCII (theory
    data such as "é", an emoji the trx spells as \\ud83d\\ude42) differently, so those are left out and spaces folded."""
    name = re.sub(r"\\u[0-9a-fA-F]{4}", "", name)
    return re.sub(r"\s+", " ", "".join(c for c in name if " " <= c <= "~")).strip()


def results():
    """Outcome per reported test result (a theory reports one per data row)."""
    try:
        root = ET.parse(trx_path).getroot()
    except (OSError, ET.ParseError) as error:
        notes.append(f"no test results ({error})")
        return [], None
    summary = root.find(".//{*}ResultSummary")
    outcome = summary.get("outcome") if summary is not None else None
    return [(r.get("testName"), r.get("outcome")) for r in root.iter() if r.tag.endswith("UnitTestResult")], outcome


reported, run_outcome = results()
passed = sum(1 for _, outcome in reported if outcome == "Passed")
skipped = sum(1 for _, outcome in reported if outcome == "NotExecuted")
failed = len(reported) - passed - skipped

discovered = discovered_tests()
not_run = 0
if discovered is None:
    notes.append("test discovery failed: what should have run is unknown")
    not_run = 1
else:
    ran = Counter(comparable(name) for name, _ in reported)
    missing = []
    for name, count in Counter(comparable(d) for d in discovered).items():
        # A theory whose data cannot be listed is discovered once and reports one result per row, "Name(args)".
        results = ran[name] or sum(n for other, n in ran.items() if other.startswith(name + "("))
        missing.extend([name] * max(0, count - results))
    not_run = len(missing)
    if not discovered:
        notes.append("no test was discovered")
        not_run = 1
    elif missing:
        notes.append(f"{len(missing)} of {len(discovered)} discovered tests reported no result (crashed, aborted or timed out), e.g.:")
        notes.extend("  " + name for name in sorted(missing)[:5])

if run_outcome not in (None, "Completed"):
    notes.append(f"the test run's outcome is {run_outcome}")
failed += not_run
if status != 0 and failed == 0:
    notes.append(f"dotnet test exited with {status} although every test reported a result: counted as one failure")
    failed = 1

for note in notes:
    print(f"note: {note}")
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
sys.exit(1 if failed else 0)
