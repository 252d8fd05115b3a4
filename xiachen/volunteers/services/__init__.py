"""Writes of 双报到 and volunteer service: one module per status machine, each with its transition
table and one `move_*` service that owns every transition of that machine.

- pairings.py      单位报到 and 共建项目 (PAIRING_TRANSITIONS, PROJECT_TRANSITIONS)
- registration.py  个人报到: register, confirm/return, withdraw (REGISTRATION_TRANSITIONS)
- activities.py    posts and claims, activities and sign-ups with waitlist, QR sign-in/out
                   (CLAIM_TRANSITIONS, SIGNUP_TRANSITIONS)
- records.py       service records and hours approval (RECORD_TRANSITIONS), the points ledger
                   (LEDGER_SIGNS) and redemptions

Every service is keyword-only, atomic, permission-checked and audited; side effects (messages)
run after commit. They raise VolunteerError with a Chinese message for a refused request.
"""

from .errors import VolunteerError

__all__ = ["VolunteerError"]
