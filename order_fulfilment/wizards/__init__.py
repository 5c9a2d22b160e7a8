from . import fulfilment_review_reject
