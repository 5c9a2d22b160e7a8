from . import fulfilment_ticket_contact
