from . import fulfilment_review_reject
from . import fulfilment_review_forward
from . import fulfilment_ticket_contact
from . import fulfilment_cannot_meet_wizard
from . import fulfilment_pod_wizard
