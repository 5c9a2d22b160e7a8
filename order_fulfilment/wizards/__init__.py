from . import fulfilment_review_reject
from . import fulfilment_ticket_contact
