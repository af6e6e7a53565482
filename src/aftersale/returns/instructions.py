"""How the customer sends a return back, by return method: what the status page and the slip say.

A QR code or return code of ours is no carrier label: a carrier takes a parcel on the shop's
contract only with the shop's carrier return code (``ReturnPolicy.drop_off_code``). Without
one, the customer writes the return code and the return address on the parcel.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from aftersale.delivery.carriers import carrier_for, display_name
from aftersale.returns.models import ReturnMethod, ReturnRequest
from aftersale.returns.policy import policy_for


def return_address(return_request: ReturnRequest) -> str:
    """Where the parcel goes: the policy's return address, else the shop's address."""
    shop = return_request.shop
    return policy_for(shop).return_address or shop.address


def sending_steps(return_request: ReturnRequest) -> list[str]:
    """The steps, in order, in the active language, for the return's method."""
    code = return_request.code
    method = return_request.return_method
    pack = _("Pack the items securely, with the return slip inside the parcel.")
    keep = _("Keep the receipt until your return has been handled.")
    if method == ReturnMethod.STORE:
        return [
            _(
                "Bring the items to the shop. Show this page or the slip: the staff scan the "
                "QR code or type the return code %(code)s."
            )
            % {"code": code}
        ]
    if method == ReturnMethod.HOME_PICKUP:
        return [
            pack,
            _("Write the return code %(code)s on the parcel.") % {"code": code},
            _("The shop arranges the pickup from your home and tells you when it comes."),
        ]
    return_policy = policy_for(return_request.shop)
    carrier = return_policy.drop_off_carrier
    if method != ReturnMethod.DROP_OFF and carrier_for(method):
        carrier = method  # an older return sent with a named carrier
    if carrier and return_policy.drop_off_code:
        return [
            pack,
            _(
                "Take the parcel to a %(carrier)s pickup point or parcel locker and send it "
                "with the shop's return code %(carrier_code)s. You need no address label."
            )
            % {"carrier": display_name(carrier), "carrier_code": return_policy.drop_off_code},
            keep,
        ]
    address = " ".join(line.strip() for line in return_address(return_request).splitlines())
    write = (
        _("Write on the parcel the return code %(code)s and this address: %(address)s.")
        % {"code": code, "address": address}
        if address
        else _("Write the return code %(code)s on the parcel.") % {"code": code}
    )
    return [
        pack,
        write,
        _("Send it as an ordinary parcel from any pickup point or post office."),
        keep,
    ]
