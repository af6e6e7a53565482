"""The event types on the timeline. Services record these; flows, loyalty and webhooks read them.

A new type is added here, with a sentence in docs/developers/webhooks.md if shops can
subscribe to it.
"""

CUSTOMER_CREATED = "customer.created"
CUSTOMER_CONSENT_CHANGED = "customer.consent_changed"
CUSTOMER_SEGMENT_ENTERED = "customer.segment_entered"

ORDER_PLACED = "order.placed"
ORDER_UPDATED = "order.updated"
ORDER_CANCELLED = "order.cancelled"
PAYMENT_RECEIVED = "payment.received"
REFUND_ISSUED = "refund.issued"

SHIPMENT_CREATED = "shipment.created"
SHIPMENT_SHIPPED = "shipment.shipped"
SHIPMENT_IN_TRANSIT = "shipment.in_transit"
SHIPMENT_READY_FOR_PICKUP = "shipment.ready_for_pickup"
SHIPMENT_DELIVERED = "shipment.delivered"
SHIPMENT_PICKED_UP = "shipment.picked_up"
SHIPMENT_DELIVERY_FAILED = "shipment.delivery_failed"
SHIPMENT_RETURNED_TO_SENDER = "shipment.returned_to_sender"
SHIPMENT_UNKNOWN_EVENT = "shipment.unknown_event"
PICKUP_POINTS_IMPORTED = "pickup_points.imported"

RETURN_REQUESTED = "return.requested"
RETURN_APPROVED = "return.approved"
RETURN_REJECTED = "return.rejected"
RETURN_IN_TRANSIT = "return.in_transit"
RETURN_RECEIVED = "return.received"
RETURN_INSPECTED = "return.inspected"
RETURN_REFUNDED = "return.refunded"
RETURN_EXCHANGED = "return.exchanged"
RETURN_CREDITED = "return.credited"
RETURN_CLOSED = "return.closed"

MESSAGE_SENT = "message.sent"
MESSAGE_BOUNCED = "message.bounced"
MESSAGE_FAILED = "message.failed"
MESSAGE_RETRIED = "message.retried"
MESSAGE_CANCELLED = "message.cancelled"
MESSAGE_UNSUBSCRIBED = "message.unsubscribed"

WITHDRAWAL_NOTIFIED = "withdrawal.notified"
WITHDRAWAL_ACKNOWLEDGED = "withdrawal.acknowledged"
WITHDRAWAL_GOODS_BACK = "withdrawal.goods_back"
WITHDRAWAL_REFUNDED = "withdrawal.refunded"
UNCLAIMED_CASE_OPENED = "unclaimed_case.opened"
UNCLAIMED_CASE_REFUNDED = "unclaimed_case.refunded"
VARIANT_RESTOCKED = "variant.restocked"

TICKET_OPENED = "ticket.opened"
TICKET_CUSTOMER_REPLIED = "ticket.customer_replied"
TICKET_ANSWERED = "ticket.answered"
TICKET_SOLVED = "ticket.solved"
TICKET_REOPENED = "ticket.reopened"
