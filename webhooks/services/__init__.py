"""Every write of the webhooks app.

- `endpoints`: partner staff (or their systems, through the API) register, change, rotate
  the secret of and delete endpoints;
- `events`: the flow's services record an event inside their own transaction, with one
  delivery per subscribed endpoint; partner staff send a delivery again.

The attempts themselves are made by the task in webhooks/tasks.py.
"""

from .endpoints import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
    webhook_secret_rotate,
)
from .events import webhook_delivery_redeliver, webhook_event_record

__all__ = [
    "webhook_delivery_redeliver",
    "webhook_endpoint_create",
    "webhook_endpoint_delete",
    "webhook_endpoint_update",
    "webhook_event_record",
    "webhook_secret_rotate",
]
