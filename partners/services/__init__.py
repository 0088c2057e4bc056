"""Every transition of the partner-contract flow, by who acts.

- `customer`: the super admin's code (issue, re-issue, cancel, decline, the 承認 check);
- `contracts`: completing the switch;
- `verification`: a partner's staff or system previewing and verifying a code;
- `expiry`: time passing (expiry and lapse recorded, lapse notices sent).

Each verb takes keyword arguments, reads the clock once (`now`), runs in one transaction,
locks what it changes, checks the current state, writes, records audit events and puts
its e-mails in the outbox. The wizard, the partner page, the API and the management
commands all call these functions; nothing else writes partner codes or contracts.
Names follow `<entity>_<action>`, as everywhere in the project.
"""

from .contracts import contract_complete
from .customer import code_approval_check, code_cancel, code_decline, code_issue, code_reissue
from .expiry import code_close_due
from .verification import Preview, code_preview, code_verify

__all__ = [
    "Preview",
    "code_approval_check",
    "code_cancel",
    "code_close_due",
    "code_decline",
    "code_issue",
    "code_preview",
    "code_reissue",
    "code_verify",
    "contract_complete",
]
