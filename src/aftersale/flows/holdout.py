"""Holdout groups: which customers of a marketing flow are its control group.

A customer is in a flow's control group when a keyed hash of (flow, customer) falls below the
flow's control share. The key is the flow's own random ``holdout_key`` (HMAC-SHA256), so the
assignment is the same every time the customer enters the flow, cannot be guessed or steered
from outside, and has nothing to do with the customer's id, value or order. Raising the share
keeps everyone who was in the control group in it; lowering it moves some of them out.

Control customers enter the flow like everyone else (a run is recorded, marked ``control``)
and go through its waits and conditions, but each send step is closed with
``CONTROL_SKIP_REASON`` at the moment the message would have been sent, after the same
consent, suppression and frequency checks. So both groups are chosen by the same rules, and
the flow report can compare them (``flows.reports``).
"""

from __future__ import annotations

import hashlib
import hmac

from aftersale.flows.models import Flow

CONTROL_SKIP_REASON = "control group: not sent"
_SCALE = float(2**64)


def bucket(key: str, flow_id: int, customer_id: int) -> float:
    """A number in [0, 1), uniform over customers and fixed for (flow, customer)."""
    digest = hmac.new(key.encode(), f"{flow_id}:{customer_id}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def in_control_group(flow: Flow, customer_id: int) -> bool:
    """Whether the customer is held out of ``flow`` (never for a transactional flow)."""
    share = flow.control_share
    return share > 0 and bucket(flow.holdout_key, flow.pk, customer_id) < share
