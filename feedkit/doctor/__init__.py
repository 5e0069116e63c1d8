"""`feedkit doctor`: a checklist of a sending set-up, each line ✓ or ✗ with what was
found and, for every ✗, the exact fix. One module per check group: DNS (spf, dkim,
dmarc, hosts), the relay (relay), the list (listing); lookup and web reach the
network through the doctor's own resolver; report prints the list."""

from .report import FORMATS, Check, failed, render
from .run import GROUPS, DoctorRequest, check_groups, run_doctor

__all__ = ["FORMATS", "GROUPS", "Check", "DoctorRequest", "check_groups", "failed", "render",
           "run_doctor"]
